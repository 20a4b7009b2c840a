%% signal_order: signals from one sender arrive in the order sent, whatever their
%% kind (PROC-1), and spawn_link misses no early death (SIG-6). Over 200 runs each.
%%   one_sender: a sends w the message m1, the exit signal exit(w, r1), the message
%%     m2, links to w and exits done. w traps exits and monitors a.
%%   spawn_link_early_death: w (trapping) spawn_links a process that exits x at once.
-module(signal_order).
-include("probe.hrl").

-define(RUNS, 200).

main() ->
    fact("runs", ?RUNS),
    {[Orders], _} = observe(fun() ->
                                    process_flag(trap_exit, true),
                                    note(repeat_counts(?RUNS, fun one_sender/0))
                            end),
    fact("one_sender.orders", Orders),
    {[Early], _} = observe(fun() ->
                                   process_flag(trap_exit, true),
                                   note(repeat_counts(?RUNS, fun early_death/0))
                           end),
    fact("spawn_link_early_death.got", Early),
    ok.

one_sender() ->
    W = self(),
    {A, Ref} = spawn_monitor(fun() ->
                                     receive go -> ok end,
                                     W ! m1, exit(W, r1), W ! m2, link(W),
                                     exit(done)
                             end),
    A ! go,
    [receive
         M when is_atom(M) -> M;
         {'EXIT', P, R} when P =:= A -> {'EXIT', R};
         {'DOWN', Ref, process, A, R} -> {'DOWN', R}
     after 1000 -> timeout
     end || _ <- [1, 2, 3, 4, 5]].

early_death() ->
    P = spawn_link(fun() -> exit(x) end),
    receive {'EXIT', P, R} -> {'EXIT', R} after 1000 -> timeout end.
