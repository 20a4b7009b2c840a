%% sup_probe: facts about supervisor.erl (OTP 25) that otpsim's supervisor must match.
%% Children are gen_servers of this module; each init and terminate is reported to
%% the probe process, so orders come from the BEAM itself. Output: key=value lines.
-module(sup_probe).
-export([main/0, start_child/2, init/1, handle_call/3, handle_cast/2, terminate/2]).

fact(Key, Value) ->
    io:put_chars([Key, $=, io_lib:format("~0p", [Value]), $\n]).

%% ---------------------------------------------------------------- the child
%% Plans: an ETS list per child name, one popped per start (ok when empty).
start_child(Name, Trap) ->
    gen_server:start_link(?MODULE, {Name, Trap}, []).

init({Name, Trap}) ->
    process_flag(trap_exit, Trap),
    Plan = case ets:lookup(plans, Name) of
               [{_, [P | Rest]}] -> ets:insert(plans, {Name, Rest}), P;
               _ -> ok
           end,
    report({init, Name}),
    case Plan of
        ok -> {ok, Name};
        {slow_terminate, Ms} -> {ok, {Name, Ms}};
        ignore -> ignore;
        {stop, R} -> {stop, R}
    end.

handle_call(_, _, S) -> {reply, ok, S}.
handle_cast({stop, R}, S) -> {stop, R, S}.
terminate(R, {Name, Ms}) -> report({terminate, Name, R}), timer:sleep(Ms);
terminate(R, Name) -> report({terminate, Name, R}).

report(Ev) -> [{_, P}] = ets:lookup(plans, '$probe'), P ! {ev, Ev}.

%% ------------------------------------------------------------ helpers
spec(Name) -> spec(Name, #{}).
spec(Name, Extra) ->
    maps:merge(#{id => Name, start => {?MODULE, start_child, [Name, true]}}, Extra).

setup(Plans) ->
    catch ets:delete(plans),
    ets:new(plans, [named_table, public]),
    ets:insert(plans, {'$probe', self()}),
    [ets:insert(plans, {N, Ps}) || {N, Ps} <- Plans],
    flush().

flush() -> receive {ev, _} -> flush() after 0 -> ok end.

events(WaitMs) ->
    receive {ev, E} -> [E | events(WaitMs)] after WaitMs -> [] end.

start_sup(Flags, Specs) ->
    {ok, Sup} = supervisor:start_link(otp_sup_cb, {Flags, Specs}),
    flush(),
    Sup.

pid_of(Sup, Id) ->
    hd([P || {I, P, _, _} <- supervisor:which_children(Sup), I =:= Id]).

short(Which) -> [{Id, case P of _ when is_pid(P) -> pid; _ -> P end} || {Id, P, _, _} <- Which].

%% The child exits boom from inside (it traps exits, so exit/2 would not kill it).
crash(Pid) -> gen_server:cast(Pid, {stop, boom}).

stop_sup(Sup) -> unlink(Sup), exit(Sup, shutdown), timer:sleep(20), flush().

%% ------------------------------------------------------------ facts
main() ->
    ok = logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    ok = compile_cb(),
    group(one_for_all, "one_for_all.order"),
    group(rest_for_one, "rest_for_one.order"),
    retry_one_for_one(),
    retry_group(one_for_all, c1, "one_for_all_retry.order"),
    retry_group(rest_for_one, c2, "rest_for_one_retry.order"),
    terminate_dead_child(),
    start_child_error(),
    shutdown_timing(),
    ok.

group(Strategy, Key) ->
    setup([]),
    Sup = start_sup(#{strategy => Strategy}, [spec(C) || C <- [c1, c2, c3, c4]]),
    crash(pid_of(Sup, c2)),
    fact(Key, events(50)),
    stop_sup(Sup).

retry_one_for_one() ->
    setup([{c, [ok, {stop, no_db}, {stop, no_db}, {stop, no_db}, {stop, no_db}]}]),
    Sup = start_sup(#{strategy => one_for_one, intensity => 3, period => 5}, [spec(c)]),
    crash(pid_of(Sup, c)),
    Reason = receive {'EXIT', Sup, R} -> R after 1000 -> timeout end,
    fact("one_for_one_retry.events", events(20)),
    fact("one_for_one_retry.sup_exit", Reason).

retry_group(Strategy, Crash, Key) ->
    Fail = case Strategy of one_for_all -> c2; rest_for_one -> c3 end,
    setup([{Fail, [ok, {stop, no_db}]}]),
    Sup = start_sup(#{strategy => Strategy, intensity => 3, period => 5},
                    [spec(C) || C <- [c1, c2, c3, c4]]),
    crash(pid_of(Sup, Crash)),
    fact(Key, events(50)),
    fact(Key ++ ".which", short(supervisor:which_children(Sup))),
    stop_sup(Sup).

terminate_dead_child() ->
    setup([]),
    Sup = start_sup(#{strategy => one_for_one},
                    [spec(c, #{start => {?MODULE, start_child, [c, false]}})]),
    exit(pid_of(Sup, c), boom),
    fact("terminate_dead_child.result", supervisor:terminate_child(Sup, c)),
    timer:sleep(20),
    fact("terminate_dead_child.which", short(supervisor:which_children(Sup))),
    fact("terminate_dead_child.events", events(20)),
    stop_sup(Sup).

start_child_error() ->
    setup([{b, [{stop, no_db}]}]),
    Sup = start_sup(#{strategy => one_for_one}, []),
    {error, {Reason, Child}} = supervisor:start_child(Sup, spec(b)),
    fact("start_child_error.reason", Reason),
    fact("start_child_error.record", setelement(4, Child, mfa)),
    fact("start_child_error.which", short(supervisor:which_children(Sup))),
    stop_sup(Sup).

%% SUP-20: infinity/500 ms, brutal_kill, 300 ms with a 1 s terminate, fast.
shutdown_timing() ->
    setup([{c1, [{slow_terminate, 500}]}, {c2, [{slow_terminate, 500}]},
           {c3, [{slow_terminate, 1000}]}]),
    Sup = start_sup(#{strategy => one_for_one},
                    [spec(c1, #{shutdown => infinity}), spec(c2, #{shutdown => brutal_kill}),
                     spec(c3, #{shutdown => 300}), spec(c4)]),
    T0 = erlang:monotonic_time(millisecond),
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    receive {'DOWN', Ref, process, Sup, _} -> ok end,
    Ms = erlang:monotonic_time(millisecond) - T0,
    fact("shutdown_timing.ms_rounded_to_100", round(Ms / 100) * 100),
    fact("shutdown_timing.events", events(20)).

%% The supervisor callback module, compiled at run time so the probe is one file.
compile_cb() ->
    Src = "-module(otp_sup_cb).\n-export([init/1]).\ninit({Flags, Specs}) -> {ok, {Flags, Specs}}.\n",
    {ok, Toks, _} = erl_scan:string(Src),
    Forms = split_forms(Toks, [], []),
    {ok, Mod, Bin} = compile:forms([F || {ok, F} <- [erl_parse:parse_form(T) || T <- Forms]]),
    {module, Mod} = code:load_binary(Mod, "otp_sup_cb.erl", Bin),
    ok.

split_forms([{dot, _} = D | Rest], Cur, Acc) -> split_forms(Rest, [], [lists:reverse([D | Cur]) | Acc]);
split_forms([T | Rest], Cur, Acc) -> split_forms(Rest, [T | Cur], Acc);
split_forms([], _, Acc) -> lists:reverse(Acc).
