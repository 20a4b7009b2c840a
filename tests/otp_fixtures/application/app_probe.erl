%% app_probe: how OTP 25's application controller starts, stops and reacts to the
%% death of applications (APP-1 to APP-6). Every application here is loaded from an
%% in-memory descriptor whose mod is {app_probe, Mode}; this module is their callback
%% module, their top supervisor's callback module and their workers' code.
%%
%% Each run writes key=value facts on stdout. Callbacks append events to the file named
%% by the PROBE_LOG environment variable (opened raw, so nothing is lost when the node
%% halts); run.sh prints that file after a halting run.
-module(app_probe).
-behaviour(application).
-behaviour(supervisor).
-export([main/1, report/0, start/2, prep_stop/1, stop/1, init/1, start_worker/1, worker/1]).

fact(Key, Value) ->
    io:put_chars([Key, $=, io_lib:format("~0p", [Value]), $\n]).

ev(Event) ->
    {ok, F} = file:open(os:getenv("PROBE_LOG"), [append, raw]),
    ok = file:write(F, io_lib:format("~0p.~n", [Event])),
    ok = file:close(F).

events() ->
    case file:consult(os:getenv("PROBE_LOG")) of
        {ok, Es} -> Es;
        {error, enoent} -> []
    end.

take_events() ->
    Es = events(),
    ok = file:write_file(os:getenv("PROBE_LOG"), <<>>),
    Es.

sup_name(App) -> list_to_atom(atom_to_list(App) ++ "_sup").
leftover_name(App) -> list_to_atom(atom_to_list(App) ++ "_leftover").

load(App, Deps, Mode) ->
    ok = application:load({application, App,
                           [{description, "probe"}, {vsn, "1"}, {modules, []},
                            {registered, []}, {applications, [kernel, stdlib | Deps]},
                            {mod, {app_probe, {App, Mode}}},
                            {env, [{colour, blue}, {size, 3}]}]}).

%% ----- application callbacks -------------------------------------------------------

start(normal, {App, Mode}) ->
    ev({start, App}),
    case Mode of
        {error, R} -> {error, R};
        ignore -> ignore;
        crash -> erlang:error(start_crashed);
        bad -> {ok, not_a_pid};
        plain ->
            %% A top "supervisor" that exits with whatever reason it is told.
            Pid = spawn_link(fun() ->
                                     register(sup_name(App), self()),
                                     receive {exit_with, R} -> exit(R) end
                             end),
            {ok, Pid, {state, App}};
        sup ->
            %% A real supervisor, plus an unlinked process the master must kill.
            {ok, Sup} = supervisor:start_link({local, sup_name(App)}, ?MODULE, {sup, App}),
            Left = spawn(fun() -> receive never -> ok end end),
            register(leftover_name(App), Left),
            {ok, Sup, {state, App}}
    end.

prep_stop({state, App} = S) ->
    ev({prep_stop, App, tree_alive, is_pid(whereis(sup_name(App)))}),
    S.

stop({state, App}) ->
    ev({stop, App, tree_alive, is_pid(whereis(sup_name(App))),
        leftover_alive, is_pid(whereis(leftover_name(App)))}),
    ok.

%% ----- the top supervisor and its worker ---------------------------------------------

init({sup, App}) ->
    {ok, {#{strategy => one_for_one, intensity => 0, period => 5},
          [#{id => w, start => {?MODULE, start_worker, [App]}}]}}.

start_worker(App) ->
    {ok, spawn_link(?MODULE, worker, [App])}.

worker(App) ->
    process_flag(trap_exit, true),
    receive
        {'EXIT', _, R} -> ev({worker_exit, App, R}), exit(R)
    end.

%% ----- runs ---------------------------------------------------------------------------

main(Run) ->
    logger:set_primary_config(level, none),
    file:write_file(os:getenv("PROBE_LOG"), <<>>),
    run(Run).

run(main) ->
    %% APP-1: dependencies, ensure_all_started order, already_started.
    load(a, [b, c], sup), load(b, [d], sup), load(c, [], sup), load(d, [], sup),
    fact("app1_start_missing_dep", application:start(a)),
    fact("app1_ensure_all_started", application:ensure_all_started(a)),
    fact("app1_start_order", [App || {start, App} <- take_events()]),
    fact("app1_already_started", application:start(a)),
    fact("app1_ensure_again", application:ensure_all_started(a)),
    fact("app1_start_not_loaded", application:start(nope)),
    fact("app1_default_type_running", [{A, application:get_application(whereis(sup_name(A)))}
                                       || A <- [a, b]]),

    %% APP-3: stopping one application; apps that depend on it keep running.
    Left = whereis(leftover_name(b)),
    LeftRef = erlang:monitor(process, Left),
    fact("app3_stop_dependency", application:stop(b)),
    Down = receive {'DOWN', LeftRef, process, Left, R} -> R after 1000 -> none end,
    fact("app3_stop_events", take_events()),
    fact("app3_leftover_reason", Down),
    fact("app3_dependents_running",
         [A || {A, _, _} <- application:which_applications(), lists:member(A, [a, c, d])]),
    fact("app3_stop_not_running", application:stop(b)),
    fact("app3_restart_with_dependents_running", application:start(b)),
    take_events(),

    %% APP-2: failing starts.
    [load(X, [], M) || {X, M} <- [{e_err, {error, db_down}}, {e_ign, ignore},
                                   {e_crash, crash}, {e_bad, bad}]],
    fact("app2_start_error", application:start(e_err)),
    fact("app2_start_ignore", application:start(e_ign)),
    fact("app2_start_crash", strip_stack(application:start(e_crash))),
    fact("app2_start_bad_return", application:start(e_bad)),
    fact("app2_failed_not_running",
         [A || {A, _, _} <- application:which_applications(),
               lists:member(A, [e_err, e_ign, e_crash, e_bad])]),
    take_events(),

    %% ensure_all_started with a failing dependency: what it started is stopped again.
    load(f, [g, e_err], sup), load(g, [], sup),
    fact("app1_ensure_failing_dep", application:ensure_all_started(f)),
    fact("app1_ensure_failing_dep_events", take_events()),
    fact("app1_ensure_failing_dep_running",
         [A || {A, _, _} <- application:which_applications(), lists:member(A, [f, g])]),

    %% APP-5 with types that do not halt the node.
    [load(X, [], plain) || X <- [t_norm, t_shut, tr_norm]],
    ok = application:start(t_norm, temporary),
    ok = application:start(t_shut, temporary),
    ok = application:start(tr_norm, transient),
    take_events(),
    exit_top(t_norm, normal),
    exit_top(t_shut, shutdown),
    exit_top(tr_norm, normal),
    fact("app5_events", take_events()),
    fact("app5_still_running",
         [A || {A, _, _} <- application:which_applications(),
               lists:member(A, [a, c, d, t_norm, t_shut, tr_norm])]),
    fact("app5_restartable", application:start(t_shut)),

    %% APP-6: configuration.
    fact("app6_get_env", application:get_env(c, colour)),
    fact("app6_get_env_missing", application:get_env(c, nope)),
    fact("app6_get_env_default", application:get_env(c, nope, fallback)),
    fact("app6_get_all_env", lists:sort(application:get_all_env(c))),
    ok = application:set_env(c, colour, red),
    fact("app6_after_set_env", application:get_env(c, colour)),
    ok = application:stop(c),
    fact("app6_while_stopped_loaded", application:get_env(c, colour)),
    ok = application:start(c),
    fact("app6_after_restart", application:get_env(c, colour)),
    ok = application:stop(c),
    ok = application:unload(c),
    fact("app6_after_unload", application:get_env(c, colour)),
    load(c, [], sup),
    fact("app6_after_reload", application:get_env(c, colour)),
    fact("app6_unloaded_app", application:get_env(never_loaded, colour)),
    take_events(),
    ok;

run(Halt) when Halt =:= halt_start_permanent; Halt =:= halt_start_transient ->
    %% A failed start of a permanent or transient application halts the node after
    %% the caller got its error (application_controller:handle_application_started).
    Type = case Halt of halt_start_permanent -> permanent; _ -> transient end,
    [load(X, [], sup) || X <- [a, b]],
    load(x, [], {error, db_down}),
    ok = application:start(a),
    ok = application:start(b),
    take_events(),
    Caller = self(),
    spawn(fun() -> ev({start_returned, application:start(x, Type)}), Caller ! done end),
    receive done -> ok after 2000 -> ok end,
    receive after 2000 -> ok end,
    ev(node_survived);

run(Halt) when Halt =:= halt_transient; Halt =:= halt_permanent; Halt =:= halt_intensity ->
    %% APP-5: a transient or permanent app's top exits: the others are stopped in reverse
    %% start order, then the node halts.
    {Type, Mode, Reason} = case Halt of
                               halt_transient -> {transient, plain, shutdown};
                               halt_permanent -> {permanent, plain, normal};
                               halt_intensity -> {transient, sup, shutdown}
                           end,
    [load(X, [], sup) || X <- [a, b, c]],
    load(x, [], Mode),
    ok = application:start(a),
    ok = application:start(b),
    ok = application:start(x, Type),
    ok = application:start(c),
    take_events(),
    ev(killing_top),
    case Mode of
        plain -> whereis(sup_name(x)) ! {exit_with, Reason};
        %% Intensity 0: the first worker death takes the supervisor down with shutdown.
        sup -> [{w, W, _, _}] = supervisor:which_children(sup_name(x)), exit(W, kill)
    end,
    receive after 2000 -> ok end,
    ev(node_survived);

run(init_stop) ->
    %% APP-4: init:stop stops the applications in reverse start order.
    [load(X, [], sup) || X <- [a, b, c]],
    [ok = application:start(X) || X <- [b, a, c]],
    take_events(),
    ev(init_stop),
    init:stop(),
    receive after 5000 -> ok end.

%% After a run that may have halted the node: the events the callbacks logged.
report() ->
    fact("events", events()).

exit_top(App, Reason) ->
    Sup = whereis(sup_name(App)),
    Ref = erlang:monitor(process, Sup),
    Sup ! {exit_with, Reason},
    receive {'DOWN', Ref, process, Sup, _} -> ok end,
    receive after 100 -> ok end.

strip_stack({error, {{bad_return, {MFA, {'EXIT', {Why, _Stack}}}}, _}}) ->
    {error, {{bad_return, {MFA, {'EXIT', {Why, stack}}}}, stack}};
strip_stack({error, {bad_return, {MFA, {'EXIT', {Why, _Stack}}}}}) ->
    {error, {bad_return, {MFA, {'EXIT', {Why, stack}}}}};
strip_stack(Other) -> Other.
