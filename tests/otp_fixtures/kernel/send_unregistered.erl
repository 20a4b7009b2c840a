%% send_unregistered: sending to a name that is not registered.
-module(send_unregistered).
-include("probe.hrl").

main() ->
    fact("bang_atom", try_(fun() -> probe_no_such_name ! msg end)),
    fact("erlang_send_atom", try_(fun() -> erlang:send(probe_no_such_name, msg) end)),
    fact("bang_name_node_tuple", try_(fun() -> {probe_no_such_name, node()} ! msg end)),
    fact("bang_dead_pid", try_(fun() -> dead_pid() ! msg end)),
    ok.

try_(F) ->
    try F() of
        R -> {returned, R}
    catch
        C:E -> {C, E}
    end.
