%% suspend_process: what erlang:suspend_process/1 does to a process, for the
%% kernel's pause fault (Ctx::suspend_process / resume_process).
%%   queued:   messages sent to a suspended process wait in its queue and are
%%             handled, in order, once it is resumed;
%%   kill / exit_reason / link_crash: whether exit signals still act on a
%%             suspended process that does not trap exits;
%%   normal:   exit(P, normal) to a suspended non-trapping process;
%%   trapped:  a trapping suspended process: the EXIT becomes a message that waits;
%%   trapped_kill: exit(P, kill) on a trapping suspended process;
%%   count:    two suspends need two resumes;
%%   suspender_dies: a suspension ends when the process that made it ends;
%%   errors:   badarg cases.
%% P echoes every message it handles to main as {got, M}.
-module(suspend_process).
-include("../probe.hrl").

main() ->
    queued(), kill(), exit_reason(), link_crash(), normal(), trapped(), trapped_kill(),
    count(), suspender_dies(), errors(),
    ok.

echo(Main) -> receive M -> Main ! {got, M}, echo(Main) end.

start_echo(Trap) ->
    Main = self(),
    P = spawn(fun() -> process_flag(trap_exit, Trap), Main ! {ready, self()}, echo(Main) end),
    receive {ready, P} -> P end.

names(P) -> [{P, p}, {self(), main}].

status(P) ->
    case process_info(P, status) of
        {status, S} -> S;
        undefined -> dead
    end.

queue(P) ->
    case process_info(P, messages) of
        {messages, Ms} -> Ms;
        undefined -> dead
    end.

%% The DOWN reason of a monitor taken before the signal was sent, within 100 ms,
%% or still_alive.
down(P, Ref) ->
    receive {'DOWN', Ref, process, P, R} -> R after 100 -> demonitor(Ref, [flush]), still_alive end.

cleanup(P) ->
    catch erlang:resume_process(P),
    exit(P, kill),
    drain(20).

queued() ->
    P = start_echo(false),
    true = erlang:suspend_process(P),
    P ! a, P ! b,
    timer:sleep(20),
    fact("queued.status", status(P)),
    fact("queued.queue", scrub(queue(P), names(P))),
    fact("queued.handled_while_suspended", drain(20)),
    true = erlang:resume_process(P),
    fact("queued.handled_after_resume", drain(20)),
    cleanup(P).

dies_while_suspended(Name, Signal) ->
    P = start_echo(false),
    true = erlang:suspend_process(P),
    Ref = monitor(process, P),
    Signal(P),
    fact([Name, ".down"], scrub(down(P, Ref), names(P))),
    cleanup(P).

kill() -> dies_while_suspended("kill", fun(P) -> exit(P, kill) end).

exit_reason() -> dies_while_suspended("exit_reason", fun(P) -> exit(P, boom) end).

link_crash() ->
    dies_while_suspended("link_crash",
                         fun(P) ->
                                 Main = self(),
                                 A = spawn(fun() -> link(P), Main ! linked, receive go -> exit(crash) end end),
                                 receive linked -> ok end,
                                 A ! go
                         end).

normal() ->
    P = start_echo(false),
    true = erlang:suspend_process(P),
    Ref = monitor(process, P),
    exit(P, normal),
    fact("normal.down", down(P, Ref)),
    fact("normal.queue", scrub(queue(P), names(P))),
    cleanup(P).

trapped() ->
    P = start_echo(true),
    true = erlang:suspend_process(P),
    Main = self(),
    A = spawn(fun() -> link(P), Main ! linked, receive go -> exit(crash) end end),
    receive linked -> ok end,
    Ref = monitor(process, P),
    exit(P, boom),
    A ! go,
    timer:sleep(20),
    Names = [{A, a} | names(P)],
    fact("trapped.down", down(P, Ref)),
    fact("trapped.status", status(P)),
    fact("trapped.queue", scrub(queue(P), Names)),
    fact("trapped.handled_while_suspended", scrub(drain(20), Names)),
    true = erlang:resume_process(P),
    fact("trapped.handled_after_resume", scrub(drain(20), Names)),
    cleanup(P).

trapped_kill() ->
    P = start_echo(true),
    true = erlang:suspend_process(P),
    Ref = monitor(process, P),
    exit(P, kill),
    fact("trapped_kill.down", down(P, Ref)),
    cleanup(P).

count() ->
    P = start_echo(false),
    true = erlang:suspend_process(P),
    true = erlang:suspend_process(P),
    true = erlang:resume_process(P),
    fact("count.status_after_one_resume", status(P)),
    true = erlang:resume_process(P),
    fact("count.status_after_two_resumes", status(P)),
    cleanup(P).

suspender_dies() ->
    P = start_echo(false),
    Main = self(),
    S = spawn(fun() -> true = erlang:suspend_process(P), Main ! suspended, receive stop -> ok end end),
    receive suspended -> ok end,
    P ! a,
    timer:sleep(20),
    fact("suspender_dies.status_before", status(P)),
    S ! stop,
    timer:sleep(20),
    fact("suspender_dies.status_after", status(P)),
    fact("suspender_dies.handled", drain(20)),
    cleanup(P).

try_(F) -> try F() of V -> {returned, V} catch C:E -> {C, E} end.

errors() ->
    fact("errors.suspend_self", try_(fun() -> erlang:suspend_process(self()) end)),
    fact("errors.suspend_dead", try_(fun() -> erlang:suspend_process(dead_pid()) end)),
    P = start_echo(false),
    fact("errors.resume_not_suspended", try_(fun() -> erlang:resume_process(P) end)),
    Main = self(),
    S = spawn(fun() -> true = erlang:suspend_process(P), Main ! suspended, receive stop -> ok end end),
    receive suspended -> ok end,
    fact("errors.resume_suspended_by_other", try_(fun() -> erlang:resume_process(P) end)),
    S ! stop,
    cleanup(P).
