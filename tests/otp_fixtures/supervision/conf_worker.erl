%% The configurable worker of the conformance scenarios: a gen_server whose
%% trap_exit, init result (per start number) and time spent in terminate come
%% from the scenario. It reports its lifecycle to conf_rec. The Rust twin is
%% tests/conformance/worker.rs.
-module(conf_worker).
-behaviour(gen_server).
-export([start_link/2, init/1, handle_call/3, handle_cast/2, handle_info/2,
         terminate/2]).

%% Cfg: #{trap_exit => bool(), terminate_ms => integer(), init => Init,
%%        fail_on => [{StartNumber, Init}]}, where Init is
%%        ok | ignore | {error, Reason} | {crash, Message}.
start_link(Path, Cfg) ->
    gen_server:start_link(?MODULE, {Path, Cfg}, []).

init({Path, Cfg}) ->
    [Parent | _] = get('$ancestors'),
    N = conf_rec:register(Path, worker, Parent),
    maps:get(trap_exit, Cfg) andalso process_flag(trap_exit, true),
    Init = proplists:get_value(N, maps:get(fail_on, Cfg), maps:get(init, Cfg)),
    Me = self(),
    case Init of
        ok ->
            conf_rec:init_result(Me, "ok"),
            {ok, Cfg};
        ignore ->
            conf_rec:init_result(Me, "ignore"),
            ignore;
        {error, Reason} ->
            %% {stop, R} from init: the starter gets {error, R} (GS-2).
            conf_rec:init_result(Me, "stop " ++ conf_rec:fmt(Reason)),
            {stop, Reason};
        {crash, Message} ->
            %% What a Rust panic becomes in otpsim: exit reason {panic, <<"Message">>}.
            Reason = {panic, Message},
            conf_rec:init_result(Me, "crash " ++ conf_rec:fmt(Reason)),
            exit(Reason)
    end.

handle_call(_Req, _From, Cfg) ->
    {reply, ok, Cfg}.

%% The scenario's "exit" action: the worker stops on its own with Reason.
handle_cast({stop_with, Reason}, Cfg) ->
    {stop, Reason, Cfg}.

handle_info(_Msg, Cfg) ->
    {noreply, Cfg}.

terminate(Reason, Cfg) ->
    conf_rec:terminate_cb(self(), Reason),
    timer:sleep(maps:get(terminate_ms, Cfg)).
