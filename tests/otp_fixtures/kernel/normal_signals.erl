%% normal_signals: exit signals with reason normal.
-module(normal_signals).
-include("probe.hrl").

main() ->
    %% exit(P, normal) sent by another process (main) to P.
    [begin
         Self = self(),
         P = spawn(fun() -> process_flag(trap_exit, Trap), Self ! ready, target_loop(Self) end),
         receive ready -> ok end,
         exit(P, normal),
         P ! {report, self()},
         Msgs = receive {report, P, Ms} -> Ms after 1000 -> no_reply end,
         Prefix = case Trap of true -> "exit_normal.trapping."; false -> "exit_normal.nontrapping." end,
         fact([Prefix, "alive"], is_process_alive(P)),
         fact([Prefix, "messages"], scrub(Msgs, [{P, p1}, {self(), main}])),
         exit(P, kill)
     end || Trap <- [false, true]],
    %% A linked process (a) exits with reason normal.
    [begin
         {Notes, Reason} =
             observe(fun() ->
                             process_flag(trap_exit, Trap),
                             A = name(spawn_link(fun() -> receive go -> ok end end), a),
                             A ! go,
                             [note({msg, M}) || M <- drain(20)],
                             note(alive_after_wait),
                             exit(end_of_body)
                     end),
         Prefix = case Trap of true -> "link_normal.trapping."; false -> "link_normal.nontrapping." end,
         fact([Prefix, "alive_after_wait"], lists:member(alive_after_wait, Notes)),
         fact([Prefix, "messages"], [M || {msg, M} <- Notes]),
         fact([Prefix, "exit_reason"], Reason)
     end || Trap <- [false, true]],
    ok.

%% Keeps its messages; on {report, From} sends them back.
target_loop(Main) -> target_loop(Main, []).
target_loop(Main, Acc) ->
    receive
        {report, From} -> From ! {report, self(), lists:reverse(Acc)}, target_loop(Main, Acc);
        M -> target_loop(Main, [M | Acc])
    end.
