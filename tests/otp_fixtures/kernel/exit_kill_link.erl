%% exit_kill_link: B (the observed process) is linked to A.
%%   own_kill:      A calls exit(kill) itself (exit/1, reason kill).
%%   external_kill: a third process calls exit(A, kill).
%% B is either non-trapping (we look at B's exit reason) or trapping (we look
%% at the messages B gets; B also monitors A to see A's own exit reason).
-module(exit_kill_link).
-include("probe.hrl").

main() ->
    [case_(How, Trap) || How <- [own_kill, external_kill], Trap <- [false, true]],
    ok.

case_(How, Trap) ->
    Prefix = io_lib:format("~p.~s.", [How, case Trap of true -> "b_trapping"; false -> "b_nontrapping" end]),
    {Notes, BReason} =
        observe(fun() ->
                        process_flag(trap_exit, Trap),
                        {A, _Ref} = spawn_opt(fun() -> receive go -> exit(kill) end end, [link, monitor]),
                        name(A, a),
                        case How of
                            own_kill -> A ! go;
                            external_kill -> spawn(fun() -> exit(A, kill) end)
                        end,
                        [note({msg, M}) || M <- drain(20)],
                        exit(end_of_body)
                end),
    fact([Prefix, "b_messages"], [M || {msg, M} <- Notes]),
    fact([Prefix, "b_exit_reason"], BReason).
