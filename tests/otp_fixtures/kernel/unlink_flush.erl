%% unlink_flush: a trapping process is linked to p1; p1 dies and the
%% {'EXIT', p1, bye} message is already queued when unlink(p1) is called.
-module(unlink_flush).
-include("probe.hrl").

-define(RUNS, 100).

main() ->
    {[Result], _} = observe(fun() ->
                                    process_flag(trap_exit, true),
                                    note(repeat_counts(?RUNS, fun once/0))
                            end),
    fact("runs", ?RUNS),
    fact("{unlink_returned,mailbox_after}", Result),
    ok.

once() ->
    P = spawn_link(fun() -> receive go -> exit(bye) end end),
    P ! go,
    wait_queue_len(1),
    Ret = unlink(P),
    Box = scrub(mailbox(), [{P, p1}]),
    _ = drain(0),
    {Ret, Box}.
