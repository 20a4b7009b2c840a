%% gs_timeouts: idle timeouts and continues (GS-9, GS-10). The server logs every
%% callback it runs to its watcher (the observed process) as {Event, Ms}, Ms the
%% time since its init rounded to 50 ms; the watcher notes the whole log. All of
%% a log comes from the server, so its order is the server's.
-module(gs_timeouts).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, handle_continue/2]).
-include("probe.hrl").

main() ->
    logger:set_primary_config(level, none),
    T100 = {timeout, 100},
    run("init_timeout", T100, fun(_) -> ok end),
    run("init_zero", {timeout, 0}, fun(_) -> ok end),
    run("cast_cancels", T100, fun(S) -> timer:sleep(50), gen_server:cast(S, plain) end),
    run("cast_rearms", T100, fun(S) -> timer:sleep(50), gen_server:cast(S, {rearm, 100}) end),
    run("info_cancels", T100, fun(S) -> timer:sleep(50), S ! hello end),
    run("exit_cancels", T100,
        fun(S) ->
                P = spawn(fun() -> link(S), receive go -> exit(bye) end end),
                name(P, p),
                timer:sleep(50),
                P ! go
        end),
    %% GS-9: a timeout of 0 comes after the messages already queued.
    run("zero_after_queued", none,
        fun(S) -> gen_server:cast(S, {sleep_then, 50, zero}), S ! m1, S ! m2 end),
    %% GS-10: queued1, a cast that returns a continue, queued2.
    run("continue_order", none,
        fun(S) ->
                gen_server:cast(S, {sleep_then, 50, plain}),
                S ! queued1,
                gen_server:cast(S, cont),
                S ! queued2
        end),
    run("continue_then_timeout", {continue, {then_timeout, 100}}, fun(_) -> ok end),
    ok.

%% Starts a trapping server whose init returns per Init, runs Act(Server), and
%% notes the server's log after 400 ms.
run(Key, Init, Act) ->
    {Notes, _} =
        observe(fun() ->
                        {ok, S} = gen_server:start(?MODULE, {self(), Init}, []),
                        name(S, s),
                        Act(S),
                        timer:sleep(400),
                        note({log, [E || {log, E} <- drain(0)]}),
                        exit(end_of_body)
                end),
    [fact([Key, ".", atom_to_list(Tag)], V) || {Tag, V} <- Notes].

%% The server.

init({W, Init}) ->
    process_flag(trap_exit, true),
    S = #{w => W, t0 => erlang:monotonic_time(millisecond)},
    case Init of
        none -> {ok, S};
        {timeout, T} -> {ok, S, T};
        {continue, C} -> {ok, S, {continue, C}}
    end.

log(Event, #{w := W, t0 := T0}) ->
    Ms = round((erlang:monotonic_time(millisecond) - T0) / 50) * 50,
    W ! {log, {Event, Ms}}.

handle_call(_, _From, S) -> {reply, ok, S}.

handle_cast(plain, S) -> log({cast, plain}, S), {noreply, S};
handle_cast({rearm, T}, S) -> log({cast, rearm}, S), {noreply, S, T};
handle_cast(cont, S) -> log({cast, cont}, S), {noreply, S, {continue, c1}};
handle_cast({sleep_then, Ms, Then}, S) ->
    log({cast, sleep_then}, S),
    timer:sleep(Ms),
    case Then of
        zero -> {noreply, S, 0};
        plain -> {noreply, S}
    end.

handle_info(timeout, S) -> log(timeout, S), {noreply, S};
handle_info(M, S) -> log({info, M}, S), {noreply, S}.

handle_continue(c1, S) -> log({continue, c1}, S), {noreply, S, {continue, c2}};
handle_continue(c2, S) -> log({continue, c2}, S), {noreply, S};
handle_continue({then_timeout, T}, S) -> log({continue, then_timeout}, S), {noreply, S, T}.
