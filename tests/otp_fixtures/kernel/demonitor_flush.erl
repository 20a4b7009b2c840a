%% demonitor_flush: the monitored process (p1) is dead and its DOWN is
%% already queued when demonitor is called.
-module(demonitor_flush).
-include("probe.hrl").

main() ->
    [begin
         {Notes, _} = observe(fun() -> body(Opts) end),
         Key = case Opts of none -> "demonitor_1"; _ -> io_lib:format("demonitor_2.~0p", [Opts]) end,
         fact([Key, ".returned"], proplists:get_value(returned, Notes)),
         fact([Key, ".mailbox_after"], proplists:get_value(mailbox_after, Notes))
     end || Opts <- [none, [], [flush], [info], [flush, info]]],
    %% For comparison: demonitor of a live monitored process.
    [begin
         {Notes, _} = observe(fun() ->
                                      P = spawn(fun() -> receive go -> ok end end),
                                      Ref = monitor(process, P),
                                      note({returned, erlang:demonitor(Ref, Opts)}),
                                      P ! go,
                                      note({mailbox_after, drain(20)})
                              end),
         Key = io_lib:format("live.demonitor_2.~0p", [Opts]),
         fact([Key, ".returned"], proplists:get_value(returned, Notes)),
         fact([Key, ".mailbox_after"], proplists:get_value(mailbox_after, Notes))
     end || Opts <- [[], [info]]],
    ok.

body(Opts) ->
    P = name(spawn(fun() -> receive go -> exit(bye) end end), p1),
    Ref = monitor(process, P),
    P ! go,
    wait_queue_len(1),
    Ret = case Opts of
              none -> erlang:demonitor(Ref);
              _ -> erlang:demonitor(Ref, Opts)
          end,
    note({returned, Ret}),
    note({mailbox_after, mailbox()}).
