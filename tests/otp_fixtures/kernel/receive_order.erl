%% receive_order: selective receive (PROC-4) and how a process's end gives its
%% reason (PROC-7, for a return and for exit/1).
-module(receive_order).
-include("probe.hrl").

main() ->
    {Notes, _} =
        observe(fun() ->
                        [self() ! M || M <- [a, b, c]],
                        note({selected, receive c -> c end}),
                        note({rest, mailbox()}),
                        drain(0),
                        self() ! a, self() ! x,
                        note({after0_match, receive x -> x after 0 -> timeout end}),
                        note({after0_no_match, receive y -> y after 0 -> timeout end}),
                        note({after0_left, mailbox()}),
                        exit(end_of_body)
                end),
    [fact(atom_to_list(K), V) || {K, V} <- Notes],
    {_, Returned} = observe(fun() -> ok end),
    fact("end.returned", Returned),
    {_, Exited} = observe(fun() -> exit(bye) end),
    fact("end.exit", Exited),
    ok.
