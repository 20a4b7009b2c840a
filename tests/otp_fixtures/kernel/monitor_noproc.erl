%% monitor_noproc: monitors on things that do not exist (ref -> 'ref',
%% the dead pid -> p1). node() is nonode@nohost (not distributed).
-module(monitor_noproc).
-include("probe.hrl").

main() ->
    fact("node", node()),
    %% Dead pid.
    {N1, _} = observe(fun() ->
                              P = name(dead_pid(), p1),
                              Ref = monitor(process, P),
                              receive {'DOWN', R, _, _, _} = D ->
                                      note({down, D}), note({same_ref, R =:= Ref})
                              after 1000 -> note(no_down)
                              end
                      end),
    fact("dead_pid.down", proplists:get_value(down, N1)),
    fact("dead_pid.same_ref", proplists:get_value(same_ref, N1)),
    %% Unregistered name, as an atom and as {Name, node()}.
    [begin
         {N2, _} = observe(fun() ->
                                   Ref = monitor(process, Target),
                                   receive {'DOWN', R, _, _, _} = D ->
                                           note({down, D}), note({same_ref, R =:= Ref})
                                   after 1000 -> note(no_down)
                                   end
                           end),
         fact([Key, ".down"], proplists:get_value(down, N2)),
         fact([Key, ".object"], element(4, proplists:get_value(down, N2))),
         fact([Key, ".same_ref"], proplists:get_value(same_ref, N2))
     end || {Key, Target} <- [{"unregistered_atom", probe_no_such_name},
                              {"unregistered_tuple", {probe_no_such_name, node()}}]],
    %% For comparison: monitor by name on a live registered process that then dies.
    {N3, _} = observe(fun() ->
                              P = name(spawn(fun() -> receive go -> exit(bye) end end), p1),
                              true = register(probe_live_name, P),
                              _Ref = monitor(process, probe_live_name),
                              P ! go,
                              receive {'DOWN', _, _, _, _} = D -> note({down, D}) after 1000 -> note(no_down) end
                      end),
    fact("registered_then_dies.down", proplists:get_value(down, N3)),
    ok.
