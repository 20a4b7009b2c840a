%% gs_calls: how a gen_server:call/3 ends (GS-5 to GS-8), seen from the caller.
%% This module is both the probe (main/0) and the server's callback module. The
%% observed process (self) is the caller; servers are started with
%% gen_server:start/3 (no link); the caller catches the call's exit and notes it
%% (caught = {'EXIT', Reason}), then notes what is left in its mailbox.
%% A server started with a watcher pid sends it {terminated, Reason} from
%% terminate/2. Every call uses call/3 with an explicit timeout (otpsim has no
%% call/2), so reasons read {R, {gen_server, call, [Server, Request, Timeout]}}.
-module(gs_calls).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2, handle_continue/2, terminate/2]).
-include("probe.hrl").

main() ->
    logger:set_primary_config(level, none),
    timeout(), noproc(), calling_self(), server_exits(), stop_reply(),
    reply_then_continue(), deferred_reply(), dying_server(), nested(),
    ok.

server(Watcher) ->
    {ok, S} = gen_server:start(?MODULE, Watcher, []),
    S.

%% GS-6, GS-7: the caller exits timeout; the late reply never shows; the server
%% goes on.
timeout() ->
    {Notes, _} =
        observe(fun() ->
                        S = name(server(none), s),
                        note({caught, catch gen_server:call(S, {sleep, 200}, 50)}),
                        note({mailbox, drain(300)}),
                        note({next_call, gen_server:call(S, get, 5000)}),
                        exit(end_of_body)
                end),
    facts("timeout", Notes).

%% GS-6: noproc for a dead pid and for a name nobody holds.
noproc() ->
    {Notes, _} =
        observe(fun() ->
                        D = name(dead_pid(), dead),
                        note({pid, catch gen_server:call(D, get, 5000)}),
                        note({name, catch gen_server:call(nobody, get, 5000)}),
                        exit(end_of_body)
                end),
    facts("noproc", Notes).

%% GS-5: a process calling itself exits calling_self.
calling_self() ->
    {Notes, _} = observe(fun() ->
                                 note({caught, catch gen_server:call(self(), get, 5000)}),
                                 exit(end_of_body)
                         end),
    facts("calling_self", Notes).

%% GS-6, GS-11b: the server exits inside handle_call, or stops without replying
%% ({stop, normal, S}); terminate runs before the caller sees the DOWN.
server_exits() ->
    [begin
         {Notes, _} =
             observe(fun() ->
                             S = name(server(self()), s),
                             note({caught, catch gen_server:call(S, Req, 5000)}),
                             note({mailbox, drain(50)}),
                             exit(end_of_body)
                     end),
         facts(Key, Notes)
     end || {Key, Req} <- [{"exit_in_call", {exit, boom}},
                           {"stop_noreply_normal", {stop_noreply, normal}},
                           {"stop_noreply_bye", {stop_noreply, bye}}]].

%% GS-8: {stop, R, Reply, S}: the caller gets Reply; terminate ran before the reply
%% went out (seen by hand-made $gen_call: both messages come from the server).
stop_reply() ->
    {Notes, _} =
        observe(fun() ->
                        S = name(server(self()), s),
                        erlang:monitor(process, S),
                        note({returned, gen_server:call(S, {stop_reply, bye}, 5000)}),
                        note({then, drain(50)}),
                        S2 = name(server(self()), s2),
                        S2 ! {'$gen_call', {self(), make_ref()}, {stop_reply, bye}},
                        note({by_hand, drain(50)}),
                        exit(end_of_body)
                end),
    facts("stop_reply", Notes).

%% GS-8, GS-10: {reply, R, S, {continue, C}} replies first; the continue then
%% runs before the next call (which times out while the continue blocks).
reply_then_continue() ->
    {Notes, _} =
        observe(fun() ->
                        S = name(server(none), s),
                        note({returned, gen_server:call(S, reply_continue, 5000)}),
                        note({during_continue, catch gen_server:call(S, get, 50)}),
                        S ! unblock,
                        note({after_continue, gen_server:call(S, get, 5000)}),
                        note({mailbox, drain(50)}),
                        exit(end_of_body)
                end),
    facts("reply_continue", Notes).

%% GS-8: {noreply, S} and a later gen_server:reply/2 from a cast.
deferred_reply() ->
    {Notes, _} =
        observe(fun() ->
                        S = name(server(none), s),
                        spawn(fun() -> timer:sleep(50), gen_server:cast(S, release) end),
                        note({returned, gen_server:call(S, hold, 5000)}),
                        exit(end_of_body)
                end),
    facts("deferred_reply", Notes).

%% GS-6: a call to a server that is already stopping (in a slow terminate) ends
%% with the server's exit reason, not with a timeout.
dying_server() ->
    [begin
         {Notes, _} =
             observe(fun() ->
                             S = name(server(self()), s),
                             gen_server:cast(S, {stop_slow, R, 100}),
                             timer:sleep(10),
                             note({caught, catch gen_server:call(S, get, 5000)}),
                             note({mailbox, drain(50)}),
                             exit(end_of_body)
                     end),
         facts(Key, Notes)
     end || {Key, R} <- [{"dying_bye", bye}, {"dying_normal", normal}]],
    ok.

%% GS-6: nested calls. a calls b, b calls c: c's failure is wrapped once per call.
nested() ->
    Cases = [{"nested_exit", {exit, boom}, 5000, 5000},
             {"nested_timeout", {sleep, 200}, 50, 5000},
             {"nested_outer_timeout", {sleep, 200}, 50, 30}],
    [begin
         {Notes, _} =
             observe(fun() ->
                             C = name(server(none), c),
                             B = name(server(none), b),
                             %% Only b is monitored: the order of DOWNs from
                             %% two processes is not something OTP promises.
                             erlang:monitor(process, B),
                             note({caught, catch gen_server:call(B, {call, C, Req, Inner}, Outer)}),
                             note({mailbox, drain(300)}),
                             exit(end_of_body)
                     end),
         facts(Key, Notes)
     end || {Key, Req, Inner, Outer} <- Cases],
    ok.

facts(Key, Notes) ->
    [fact([Key, ".", atom_to_list(Tag)], V) || {Tag, V} <- Notes],
    ok.

%% The server.

init(Watcher) -> {ok, #{w => Watcher}}.

handle_call(get, _From, S) -> {reply, ok, S};
handle_call({sleep, Ms}, _From, S) -> timer:sleep(Ms), {reply, late, S};
handle_call({exit, R}, _From, _S) -> exit(R);
handle_call({stop_reply, R}, _From, S) -> {stop, R, stopped, S};
handle_call({stop_noreply, R}, _From, S) -> {stop, R, S};
handle_call(hold, From, S) -> {noreply, S#{held => From}};
handle_call(reply_continue, _From, S) -> {reply, first, S, {continue, block}};
handle_call({call, Target, Req, T}, _From, S) -> {reply, gen_server:call(Target, Req, T), S}.

handle_cast(release, #{held := From} = S) ->
    gen_server:reply(From, released),
    {noreply, S};
handle_cast({stop_slow, R, Ms}, S) -> {stop, R, S#{slow => Ms}}.

handle_continue(block, S) ->
    receive unblock -> ok end,
    {noreply, S}.

terminate(R, S) ->
    case S of
        #{w := W} when is_pid(W) -> W ! {terminated, R};
        _ -> ok
    end,
    timer:sleep(maps:get(slow, S, 0)).
