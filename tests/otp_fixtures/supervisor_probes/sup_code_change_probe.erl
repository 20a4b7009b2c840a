%% sup_code_change_probe: facts about a supervisor's code change in supervisor.erl
%% (OTP 25), SUP-27. The supervisor's init/1 reads its flags and child specs from a
%% persistent_term the probe sets, so it has no side effects and the probe can change
%% what the next init returns before sys:change_code re-runs it. Children are
%% gen_servers of this module that report each init and terminate to the probe.
%% Output: key=value lines; pids are printed as pid, or as same/new against the
%% which_children taken before.
-module(sup_code_change_probe).
-export([main/0, start_child/1, init/1, handle_call/3, handle_cast/2, terminate/2]).

fact(Key, Value) ->
    io:put_chars([Key, $=, io_lib:format("~0p", [Value]), $\n]).

%% ---------------------------------------------------------------- the supervisor
%% init(sup) is the supervisor callback, init(Name) the child's.
init(sup) ->
    case persistent_term:get({?MODULE, init}) of
        {ok, Flags, Specs} -> {ok, {Flags, Specs}};
        Other -> Other
    end;
init(Name) ->
    process_flag(trap_exit, true),
    report({init, Name}),
    {ok, Name}.

%% ---------------------------------------------------------------- the child
start_child(Name) ->
    gen_server:start_link(?MODULE, Name, []).

handle_call(_, _, S) -> {reply, ok, S}.
handle_cast({stop, R}, S) -> {stop, R, S}.
terminate(R, Name) -> report({terminate, Name, R}).

report(Ev) -> persistent_term:get({?MODULE, probe}) ! {ev, Ev}.

%% ------------------------------------------------------------ helpers
spec(Name) -> spec(Name, #{}).
spec(Name, Extra) ->
    maps:merge(#{id => Name, start => {?MODULE, start_child, [Name]}}, Extra).

set_init(Init) -> persistent_term:put({?MODULE, init}, Init).

flush() -> receive {ev, _} -> flush() after 0 -> ok end.

events(WaitMs) ->
    receive {ev, E} -> [E | events(WaitMs)] after WaitMs -> [] end.

start_sup(Flags, Specs) ->
    set_init({ok, Flags, Specs}),
    {ok, Sup} = supervisor:start_link(?MODULE, sup),
    flush(),
    Sup.

%% What a release handler does for a supervisor: suspend, change_code, resume.
change_code(Sup, Init) ->
    set_init(Init),
    ok = sys:suspend(Sup),
    Result = sys:change_code(Sup, ?MODULE, undefined, []),
    ok = sys:resume(Sup),
    Result.

pid_of(Sup, Id) ->
    hd([P || {I, P, _, _} <- supervisor:which_children(Sup), I =:= Id]).

which(Sup) -> [{Id, P} || {Id, P, _, _} <- supervisor:which_children(Sup)].

%% Each child of After against Before: same pid, new pid, or its atom (undefined).
vs(Before, After) ->
    [{Id, case P of
              _ when is_pid(P) ->
                  case lists:keyfind(Id, 1, Before) of
                      {Id, P} -> same;
                      _ -> new
                  end;
              _ -> P
          end} || {Id, P} <- After].

%% The child exits boom from inside (it traps exits, so exit/2 would not kill it).
crash(Pid) -> gen_server:cast(Pid, {stop, boom}).

sup_exit(Sup, WaitMs) ->
    receive {'EXIT', Sup, R} -> R after WaitMs -> alive end.

stop_sup(Sup) -> unlink(Sup), exit(Sup, shutdown), timer:sleep(20), flush().

%% ------------------------------------------------------------ facts
main() ->
    ok = logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    persistent_term:put({?MODULE, probe}, self()),
    update(),
    intensity(),
    invalid_flags(),
    invalid_spec(),
    significant_needs_new_flags(),
    init_ignore(),
    init_error(),
    ok.

%% New flags, reordered and changed specs, a new id, a dropped id.
update() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a), spec(b), spec(c)]),
    W0 = which(Sup),
    fact("update.before", vs(W0, W0)),
    New = {ok, #{strategy => one_for_all},
           [spec(c), spec(a, #{restart => temporary}), spec(n)]},
    fact("update.result", change_code(Sup, New)),
    fact("update.events", events(20)),
    W1 = which(Sup),
    fact("update.after", vs(W0, W1)),
    fact("update.count", supervisor:count_children(Sup)),
    {ok, NPid} = supervisor:restart_child(Sup, n),
    fact("update.restart_n", is_pid(NPid)),
    fact("update.restart_n.events", events(20)),
    W2 = which(Sup),
    %% a is temporary now: its crash deletes it, and one_for_all restarts nobody.
    crash(pid_of(Sup, a)),
    fact("update.crash_temporary.events", events(50)),
    W3 = which(Sup),
    fact("update.crash_temporary.after", vs(W2, W3)),
    %% one_for_all now rules: c's crash restarts every child, the kept b too.
    crash(pid_of(Sup, c)),
    fact("update.crash_permanent.events", events(50)),
    fact("update.crash_permanent.after", vs(W3, which(Sup))),
    fact("update.sup", sup_exit(Sup, 20)),
    stop_sup(Sup).

%% The restart history survives the change and is judged by the new intensity.
intensity() ->
    Sup = start_sup(#{strategy => one_for_one, intensity => 3, period => 60}, [spec(a)]),
    crash(pid_of(Sup, a)),
    timer:sleep(20),
    crash(pid_of(Sup, a)),
    timer:sleep(20),
    fact("intensity.before_change", sup_exit(Sup, 0)),
    New = {ok, #{strategy => one_for_one, intensity => 2, period => 60}, [spec(a)]},
    fact("intensity.result", change_code(Sup, New)),
    flush(),
    crash(pid_of(Sup, a)),
    fact("intensity.third_crash.sup", sup_exit(Sup, 200)),
    fact("intensity.third_crash.events", events(20)).

%% A bad period: refused, and the old flags and children go on.
invalid_flags() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a), spec(b)]),
    W0 = which(Sup),
    New = {ok, #{strategy => one_for_all, period => 0}, [spec(a), spec(b), spec(n)]},
    fact("invalid_flags.result", change_code(Sup, New)),
    fact("invalid_flags.after", vs(W0, which(Sup))),
    crash(pid_of(Sup, a)),
    fact("invalid_flags.crash.events", events(50)),
    fact("invalid_flags.crash.after", vs(W0, which(Sup))),
    stop_sup(Sup).

%% A duplicate id, and a significant child under auto_shutdown never: both refused,
%% the new (valid) flags with them.
invalid_spec() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a), spec(b)]),
    W0 = which(Sup),
    Dup = {ok, #{strategy => one_for_all}, [spec(a), spec(n), spec(n)]},
    fact("invalid_spec.duplicate.result", change_code(Sup, Dup)),
    Sig = {ok, #{strategy => one_for_all},
           [spec(a), spec(b, #{restart => transient, significant => true})]},
    fact("invalid_spec.significant.result", change_code(Sup, Sig)),
    fact("invalid_spec.after", vs(W0, which(Sup))),
    crash(pid_of(Sup, a)),
    fact("invalid_spec.crash.events", events(50)),
    fact("invalid_spec.crash.after", vs(W0, which(Sup))),
    stop_sup(Sup).

%% Specs are checked against the new flags: a significant child is accepted when the
%% same change turns auto_shutdown on, and its clean exit then ends the supervisor.
significant_needs_new_flags() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a), spec(b)]),
    New = {ok, #{strategy => one_for_one, auto_shutdown => any_significant},
           [spec(a, #{restart => transient, significant => true}), spec(b)]},
    fact("significant.result", change_code(Sup, New)),
    gen_server:cast(pid_of(Sup, a), {stop, normal}),
    fact("significant.sup", sup_exit(Sup, 200)),
    fact("significant.events", events(20)).

%% init returning ignore: ok, and nothing changes.
init_ignore() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a), spec(b)]),
    W0 = which(Sup),
    fact("ignore.result", change_code(Sup, ignore)),
    fact("ignore.after", vs(W0, which(Sup))),
    crash(pid_of(Sup, a)),
    fact("ignore.crash.events", events(50)),
    fact("ignore.crash.after", vs(W0, which(Sup))),
    stop_sup(Sup).

%% init returning anything else: that term comes back as the error.
init_error() ->
    Sup = start_sup(#{strategy => one_for_one}, [spec(a)]),
    W0 = which(Sup),
    fact("init_error.result", change_code(Sup, {error, no_config})),
    fact("init_error.after", vs(W0, which(Sup))),
    stop_sup(Sup).
