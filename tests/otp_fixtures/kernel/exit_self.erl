%% exit_self: what happens after exit(self(), Reason)?
%% The process notes 'next_statement_ran' right after the call, then waits
%% 2 ms and notes 'alive_after_wait' (+ any message it got if trapping).
%% Each case is run 100 times; outcomes are printed as [{Outcome, Count}].
-module(exit_self).
-include("probe.hrl").

-define(RUNS, 100).

main() ->
    fact("runs", ?RUNS),
    [case_(Trap, R) || Trap <- [false, true], R <- [kill, normal, shutdown]],
    ok.

case_(Trap, Reason) ->
    Prefix = io_lib:format("~s.~p.", [case Trap of true -> "trapping"; false -> "nontrapping" end, Reason]),
    Outcomes = [observe(fun() -> body(Trap, Reason) end) || _ <- lists:seq(1, ?RUNS)],
    Notes = [N || {N, _} <- Outcomes],
    fact([Prefix, "next_statement_ran"], length([x || N <- Notes, lists:member(next_statement_ran, N)])),
    fact([Prefix, "alive_after_wait"], length([x || N <- Notes, lists:member(alive_after_wait, N)])),
    fact([Prefix, "messages"], counts([[M || {msg, M} <- N] || N <- Notes])),
    fact([Prefix, "exit_reason"], counts([R || {_, R} <- Outcomes])).

body(Trap, Reason) ->
    process_flag(trap_exit, Trap),
    exit(self(), Reason),
    note(next_statement_ran),
    [note({msg, M}) || M <- drain(2)],
    note(alive_after_wait),
    exit(end_of_body).
