%% msg_before_exit: a child sends m to the watcher and then exits with
%% reason r. The watcher is linked (and trapping exits) and also monitors
%% the child. Order in which m, {'EXIT',P,r} and {'DOWN',_,process,P,r}
%% arrive, over 200 runs (+ the same with reasons normal and kill,
%% the latter via exit(kill) in the child). Each order is printed with the
%% exit reason seen in EXIT and DOWN.
-module(msg_before_exit).
-include("probe.hrl").

-define(RUNS, 200).

main() ->
    fact("runs", ?RUNS),
    [begin
         {Notes, _} = observe(fun() -> process_flag(trap_exit, true),
                                       note(repeat_counts(?RUNS, fun() -> once(Reason) end))
                              end),
         fact(io_lib:format("reason_~0p.orders", [Reason]), hd(Notes))
     end || Reason <- [r, normal, kill]],
    ok.

once(Reason) ->
    W = self(),
    {P, Ref} = spawn_opt(fun() -> receive go -> W ! m, exit(Reason) end end, [link, monitor]),
    P ! go,
    [receive
         m -> m;
         {'EXIT', P, R} -> {'EXIT', R};
         {'DOWN', Ref, process, P, R} -> {'DOWN', R}
     after 1000 -> timeout
     end || _ <- [1, 2, 3]].
