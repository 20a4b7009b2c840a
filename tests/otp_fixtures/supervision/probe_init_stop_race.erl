%% Probe behind the known mismatch of scenario rfo_restart_crash_nested
%% (tests/conformance/KNOWN_MISMATCHES.md): a gen_server whose init returns
%% {stop, down} acknowledges its starter and only then exits. If the starter is
%% linked to it and exits at once after start_link returned {error, down}, which
%% reason does the child die with?
%%
%%   erlc probe_init_stop_race.erl && erl +S 1 -noshell -eval 'probe_init_stop_race:main()' -s init stop
%%
%% Prints key=value lines: the set of exit reasons seen over 20 runs.
-module(probe_init_stop_race).
-export([main/0, init/1, handle_call/3, handle_cast/2]).

init(Trap) ->
    process_flag(trap_exit, Trap),
    probe ! {child, self()},
    {stop, down}.

handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.

once(Trap) ->
    register(probe, self()),
    spawn(fun() ->
                  process_flag(trap_exit, true),
                  {error, down} = gen_server:start_link(?MODULE, Trap, []),
                  exit(starter_dies)
          end),
    Child = receive {child, Pid} -> Pid end,
    Ref = monitor(process, Child),
    Reason = receive {'DOWN', Ref, _, _, R} -> R end,
    unregister(probe),
    Reason.

main() ->
    ok = logger:remove_handler(default),
    [io:format("child_trap_exit_~p=~0p~n", [Trap, lists:usort([once(Trap) || _ <- lists:seq(1, 20)])])
     || Trap <- [false, true]],
    ok.
