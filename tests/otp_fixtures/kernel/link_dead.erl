%% link_dead: link/1 to a pid that is already dead (p1).
-module(link_dead).
-include("probe.hrl").

main() ->
    %% Trapping: link returns, then an {'EXIT', P, noproc} message arrives.
    {T, TR} = observe(fun() ->
                              process_flag(trap_exit, true),
                              P = name(dead_pid(), p1),
                              note({returned, link(P)}),
                              [note({msg, M}) || M <- drain(20)],
                              exit(end_of_body)
                      end),
    fact("trapping.link_return", [R || {returned, R} <- T]),
    fact("trapping.messages", [M || {msg, M} <- T]),
    fact("trapping.exit_reason", TR),
    %% Not trapping: link raises (caught); does an exit signal follow?
    {N, NR} = observe(fun() ->
                              P = name(dead_pid(), p1),
                              try link(P) of
                                  R -> note({returned, R})
                              catch
                                  C:E -> note({caught, C, E})
                              end,
                              [note({msg, M}) || M <- drain(20)],
                              note(alive_after_wait),
                              exit(end_of_body)
                      end),
    fact("nontrapping.link_return", [R || {returned, R} <- N]),
    fact("nontrapping.caught", [{C, E} || {caught, C, E} <- N]),
    fact("nontrapping.messages", [M || {msg, M} <- N]),
    fact("nontrapping.alive_after_wait", lists:member(alive_after_wait, N)),
    fact("nontrapping.exit_reason", NR).
