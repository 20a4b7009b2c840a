%% shutdown_tuple: a linked partner (a) exits with {shutdown, x} (and, for
%% comparison, shutdown); the observed process is linked to it.
-module(shutdown_tuple).
-include("probe.hrl").

main() ->
    [begin
         {Notes, Reason} =
             observe(fun() ->
                             process_flag(trap_exit, Trap),
                             A = name(spawn_link(fun() -> receive go -> exit(R) end end), a),
                             A ! go,
                             [note({msg, M}) || M <- drain(20)],
                             exit(end_of_body)
                     end),
         Prefix = io_lib:format("~0p.~s.", [R, case Trap of true -> "trapping"; false -> "nontrapping" end]),
         fact([Prefix, "messages"], [M || {msg, M} <- Notes]),
         fact([Prefix, "exit_reason"], Reason)
     end || R <- [{shutdown, x}, shutdown], Trap <- [false, true]],
    ok.
