%% register_errors: failing register/2 calls (class and reason), and the
%% name table after a registered process died.
-module(register_errors).
-include("probe.hrl").

-define(RUNS, 100).

main() ->
    Idle = fun() -> receive stop -> ok end end,
    P1 = spawn(Idle),
    P2 = spawn(Idle),
    fact("register_ok", register(probe_taken, P1)),
    fact("name_taken", try_(fun() -> register(probe_taken, P2) end)),
    fact("pid_already_named", try_(fun() -> register(probe_other, P1) end)),
    fact("dead_pid", try_(fun() -> register(probe_dead, dead_pid()) end)),
    fact("name_undefined", try_(fun() -> register(undefined, P2) end)),
    fact("same_name_same_pid_again", try_(fun() -> register(probe_taken, P1) end)),
    fact("unregister_unknown", try_(fun() -> unregister(probe_never_registered) end)),
    %% After the 'DOWN' of a registered process was received, is the name gone,
    %% and can it be registered again at once?
    Gone = repeat_counts(?RUNS, fun() ->
                                        P = spawn(Idle),
                                        true = register(probe_gone, P),
                                        Ref = monitor(process, P),
                                        exit(P, kill),
                                        receive {'DOWN', Ref, process, P, _} -> ok end,
                                        W = whereis(probe_gone),
                                        Again = try_(fun() -> register(probe_gone, self()) end),
                                        catch unregister(probe_gone),
                                        {scrub(W, [{P, p1}]), scrub(Again, [])}
                                end),
    fact("after_down.runs", ?RUNS),
    fact("after_down.{whereis,register_again}", Gone),
    [exit(P, kill) || P <- [P1, P2]],
    ok.

try_(F) ->
    try F() of
        R -> {returned, R}
    catch
        C:E -> {C, E}
    end.
