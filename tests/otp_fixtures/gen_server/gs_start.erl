%% gs_start: what gen_server:start_link/3 returns for each init/1 result, and what
%% the link then does to the starter (GS-1 to GS-4). The observed process (self) is
%% the starter; the server sends it {terminated, R} if terminate/2 ever runs.
-module(gs_start).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, handle_continue/2, terminate/2]).
-include("probe.hrl").

main() ->
    logger:set_primary_config(level, none),
    Modes = [{"ok", ok}, {"ignore", ignore}, {"stop_bye", {stop, bye}},
             {"stop_normal", {stop, normal}}, {"stop_shutdown_x", {stop, {shutdown, x}}},
             {"exit_boom", {exit, boom}}],
    [trapping(Key, Mode) || {Key, Mode} <- Modes],
    [not_trapping(Key, Mode) || {Key, Mode} <- Modes],
    continue_after_ack(),
    start_timeout(true),
    start_timeout(false),
    unlinked(),
    ok.

%% A trapping starter: the returned value, then what the link left in the mailbox.
trapping(Key, Mode) ->
    {Notes, _} =
        observe(fun() ->
                        process_flag(trap_exit, true),
                        R = gen_server:start_link(?MODULE, {self(), Mode}, []),
                        case R of {ok, P} -> name(P, s); _ -> ok end,
                        note({returned, R}),
                        note({mailbox, drain(50)}),
                        exit(end_of_body)
                end),
    facts(["trap.", Key], Notes).

%% A starter that does not trap: its own exit reason (end_of_body if it lived on).
%% Nothing is noted before the wait, as a dying starter may or may not get there.
not_trapping(Key, Mode) ->
    {_, Reason} =
        observe(fun() ->
                        gen_server:start_link(?MODULE, {self(), Mode}, []),
                        timer:sleep(50),
                        exit(end_of_body)
                end),
    fact(["notrap.", Key, ".starter_reason"], Reason).

%% GS-1: the acknowledgement goes out before the continue runs.
continue_after_ack() ->
    {Notes, _} =
        observe(fun() ->
                        {ok, S} = gen_server:start_link(?MODULE, {self(), continue}, []),
                        name(S, s),
                        note({returned, {ok, S}}),
                        note({during_continue, catch gen_server:call(S, get, 50)}),
                        S ! unblock,
                        note({after_continue, gen_server:call(S, get, 5000)}),
                        exit(end_of_body)
                end),
    facts("continue", Notes).

%% GS-4: init takes 200 ms, the start gives up at 50 ms.
start_timeout(Trap) ->
    {Notes, Reason} =
        observe(fun() ->
                        process_flag(trap_exit, Trap),
                        R = gen_server:start_link(?MODULE, {self(), {sleep, 200}}, [{timeout, 50}]),
                        note({returned, R}),
                        note({mailbox, drain(300)}),
                        exit(end_of_body)
                end),
    Key = ["start_timeout.", case Trap of true -> "trap"; false -> "notrap" end],
    facts(Key, Notes),
    fact([Key, ".starter_reason"], Reason).

%% gen_server:start/3 (no link): a failed init leaves nothing behind.
unlinked() ->
    {Notes, Reason} =
        observe(fun() ->
                        note({returned, gen_server:start(?MODULE, {self(), {stop, bye}}, [])}),
                        note({mailbox, drain(50)}),
                        exit(end_of_body)
                end),
    facts("unlinked_stop_bye", Notes),
    fact("unlinked_stop_bye.starter_reason", Reason).

facts(Key, Notes) ->
    [fact([Key, ".", atom_to_list(Tag)], V) || {Tag, V} <- Notes],
    ok.

%% The server.

init({W, ok}) -> {ok, W};
init({W, continue}) -> {ok, W, {continue, block}};
init({_, ignore}) -> ignore;
init({_, {stop, R}}) -> {stop, R};
init({_, {exit, R}}) -> exit(R);
init({W, {sleep, Ms}}) -> timer:sleep(Ms), {ok, W}.

handle_call(get, _From, W) -> {reply, ok, W}.

handle_cast(_, W) -> {noreply, W}.

handle_continue(block, W) ->
    receive unblock -> ok end,
    {noreply, W}.

terminate(R, W) -> W ! {terminated, R}.
