%% gs_terminate: when terminate/2 runs, what the server then exits with, and what
%% gen_server:stop/3 returns (GS-11 to GS-14). The observed process (self) is the
%% watcher: the server sends it {terminated, R} when terminate starts,
%% {terminate_done, R} after a slow terminate, and {info, M} from handle_info.
%% self monitors the server, so its mailbox shows the server's messages then its
%% DOWN, all from the server, in the server's order.
-module(gs_terminate).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).
-include("probe.hrl").

main() ->
    logger:set_primary_config(level, none),
    [parent_exit(Trap, R) || Trap <- [true, false], R <- [normal, shutdown, bye]],
    not_parent(),
    killed(),
    terminate_exits(),
    stop(),
    ok.

server(Trap, Term) ->
    {ok, S} = gen_server:start(?MODULE, {self(), Trap, Term}, []),
    erlang:monitor(process, S),
    name(S, s).

%% GS-11c, GS-12: the parent (p, which start_linked the server) exits R.
parent_exit(Trap, R) ->
    {Notes, _} =
        observe(fun() ->
                        W = self(),
                        P = spawn(fun() ->
                                          {ok, S} = gen_server:start_link(?MODULE, {W, Trap, ok}, []),
                                          W ! {started, S},
                                          receive go -> exit(R) end
                                  end),
                        name(P, p),
                        S = receive {started, Pid} -> name(Pid, s) end,
                        erlang:monitor(process, S),
                        P ! go,
                        note({mailbox, drain(100)}),
                        note({alive, is_process_alive(S)}),
                        exit(end_of_body)
                end),
    facts(["parent_exit.", trap_key(Trap), ".", atom_to_list(R)], Notes).

trap_key(true) -> "trap";
trap_key(false) -> "notrap".

%% GS-12: EXITs from a linked process that is not the parent, and from exit/2 by a
%% process that is not linked, go to handle_info of a trapping server.
not_parent() ->
    {Notes, _} =
        observe(fun() ->
                        S = server(true, ok),
                        P = name(spawn(fun() -> link(S), receive go -> exit(bye) end end), p),
                        timer:sleep(10),
                        P ! go,
                        note({linked, drain(50)}),
                        exit(S, shutdown),
                        note({exit2, drain(50)}),
                        note({alive, is_process_alive(S)}),
                        exit(end_of_body)
                end),
    facts("not_parent", Notes).

%% GS-12: kill skips terminate, even when trapping.
killed() ->
    {Notes, _} =
        observe(fun() ->
                        S = server(true, ok),
                        exit(S, kill),
                        note({mailbox, drain(50)}),
                        exit(end_of_body)
                end),
    facts("killed", Notes).

%% GS-13: a crash in terminate becomes the exit reason; its return value does not.
terminate_exits() ->
    [begin
         {Notes, _} =
             observe(fun() ->
                             S = server(false, Term),
                             gen_server:cast(S, {stop_with, bye}),
                             note({mailbox, drain(50)}),
                             exit(end_of_body)
                     end),
         facts(["terminate_", Key], Notes)
     end || {Key, Term} <- [{"exits", {exit, tcrash}}, {"returns", {return, weird}}]],
    ok.

%% GS-11d, GS-14: gen_server:stop/3 on a server that does not trap exits.
stop() ->
    Cases = [{"default", ok, fun(S) -> gen_server:stop(S) end},
             {"reason", ok, fun(S) -> gen_server:stop(S, bye, infinity) end},
             {"other_reason", {exit, tcrash}, fun(S) -> gen_server:stop(S, bye, infinity) end},
             {"timeout", {sleep, 200}, fun(S) -> gen_server:stop(S, normal, 50) end}],
    [begin
         {Notes, _} =
             observe(fun() ->
                             S = server(false, Term),
                             note({caught, catch Stop(S)}),
                             note({alive, is_process_alive(S)}),
                             note({mailbox, drain(300)}),
                             exit(end_of_body)
                     end),
         facts(["stop.", Key], Notes)
     end || {Key, Term, Stop} <- Cases],
    {Notes, _} =
        observe(fun() ->
                        D = name(dead_pid(), dead),
                        note({caught, catch gen_server:stop(D, normal, infinity)}),
                        exit(end_of_body)
                end),
    facts("stop.dead", Notes).

facts(Key, Notes) ->
    [fact([Key, ".", atom_to_list(Tag)], V) || {Tag, V} <- Notes],
    ok.

%% The server.

init({W, Trap, Term}) ->
    process_flag(trap_exit, Trap),
    {ok, #{w => W, term => Term}}.

handle_call(_, _From, S) -> {reply, ok, S}.

handle_cast({stop_with, R}, S) -> {stop, R, S}.

handle_info(M, #{w := W} = S) ->
    W ! {info, M},
    {noreply, S}.

terminate(R, #{w := W, term := Term}) ->
    W ! {terminated, R},
    case Term of
        ok -> ok;
        {exit, R2} -> exit(R2);
        {return, V} -> V;
        {sleep, Ms} -> timer:sleep(Ms), W ! {terminate_done, R}
    end.
