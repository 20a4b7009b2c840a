%% otpsim_bench: BEAM-side workloads for scripts/bench-vs-beam.sh.
%%
%% Each workload prints ONE JSON object line on stdout. Run on one scheduler:
%%   erlc -o DIR scripts/beam/otpsim_bench.erl
%%   erl +S 1 +P 2000000 -noshell -pa DIR \
%%       -eval 'otpsim_bench:main(["ring","1000","1000"])' -s init stop
%%
%% Workloads (arguments are strings, as from a command line):
%%   ["ring", Procs, Rounds]
%%   ["spawn", Procs]                  (Procs idle processes for peak RSS)
%%   ["spawn", Procs, Throughput, K]   (optional: spawn count for the
%%                                      throughput phase, default Procs;
%%                                      K for bytes_per_process, default 100000)
%%   ["call", Calls]
%%   ["restart_storm", Children, Strategy]   Strategy = one_for_one | one_for_all
%%   ["restart_storm", Children, Strategy, K]   K storms in a row on the same tree
%%       one_for_one: kill every child once, wait for all to be restarted.
%%       one_for_all: kill ONE child, wait for all Children to be restarted.
%%
%% Logger output (supervisor reports) is disabled unless the environment
%% variable OTPSIM_BENCH_LOGGER=on; the JSON line says which ("logger").
%%
%% The module is also the gen_server callback module (echo server and storm
%% children) and the supervisor callback module; init/1 dispatches on its
%% argument, so no -behaviour attributes are declared.
-module(otpsim_bench).

-export([main/1]).
%% gen_server / supervisor callbacks
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).
-export([start_child/2]).

-define(SPAWN_WINDOW, 10000).

main([Bench | Args]) ->
    %% Supervisor reports for thousands of killed children would be formatted
    %% and printed by the logger (slowing the storm and mixing into stdout);
    %% they are switched off unless OTPSIM_BENCH_LOGGER=on.
    case os:getenv("OTPSIM_BENCH_LOGGER") of
        "on" -> ok;
        _ -> ok = logger:set_primary_config(level, none)
    end,
    Json = run(Bench, [list_to_integer(A) || A <- Args, is_int(A)] ++
                      [list_to_atom(A) || A <- Args, not is_int(A)]),
    io:put_chars([Json, $\n]).

is_int(S) -> lists:all(fun(C) -> C >= $0 andalso C =< $9 end, S) andalso S =/= [].

run("ring", [N, M]) -> ring(N, M);
run("spawn", [N]) -> spawn_bench(N, N, 100000);
run("spawn", [N, T]) -> spawn_bench(N, T, 100000);
run("spawn", [N, T, K]) -> spawn_bench(N, T, K);
run("call", [N]) -> call(N);
run("restart_storm", [N, Strategy]) -> restart_storm(N, Strategy, 1);
run("restart_storm", [N, K, Strategy]) -> restart_storm(N, Strategy, K);
run("restart-storm", Args) -> run("restart_storm", Args);
run(Bench, Args) -> erlang:error({bad_arguments, Bench, Args}).

%% ---------------------------------------------------------------- helpers

now_us() -> erlang:monotonic_time(microsecond).

secs(T0, T1) -> (T1 - T0) / 1.0e6.

rate(_, S) when S =< 0.0 -> 0.0;
rate(Count, S) -> Count / S.

json(Fields) ->
    Body = lists:join(",", [["\"", atom_to_list(K), "\":", val(V)] || {K, V} <- Fields]),
    lists:flatten(["{", Body, "}"]).

val(V) when is_integer(V) -> integer_to_list(V);
val(V) when is_float(V) -> float_to_list(V, [{decimals, 6}, compact]);
val(V) when is_atom(V) -> ["\"", atom_to_list(V), "\""];
val({array, L}) -> ["[", lists:join(",", [val(X) || X <- L]), "]"];
val(V) when is_list(V) -> ["\"", V, "\""].

common() ->
    [{logger, case os:getenv("OTPSIM_BENCH_LOGGER") of "on" -> on; _ -> off end},
     {otp_release, erlang:system_info(otp_release)},
     {schedulers, erlang:system_info(schedulers_online)}].

%% Read a "Key:   1234 kB" line of /proc/self/status, in bytes (0 if absent).
proc_status_bytes(Key) ->
    case file:read_file("/proc/self/status") of
        {ok, Bin} ->
            Lines = string:split(binary_to_list(Bin), "\n", all),
            Prefix = Key ++ ":",
            case [L || L <- Lines, lists:prefix(Prefix, L)] of
                [Line | _] ->
                    [Num | _] = string:lexemes(lists:nthtail(length(Prefix), Line), " \t"),
                    list_to_integer(Num) * 1024;
                [] -> 0
            end;
        _ -> 0
    end.

%% ------------------------------------------------------------------- ring
%% N processes in a ring; one token makes M full laps (N*M deliveries,
%% the first one being the send that injects it). Only the passing is timed.

ring(N, M) when N >= 1, M >= 1 ->
    Parent = self(),
    Pids = [spawn_link(fun() -> ring_wait_next(Parent) end) || _ <- lists:seq(1, N)],
    [First | _] = Pids,
    Nexts = tl(Pids) ++ [First],
    lists:foreach(fun({P, Next}) -> P ! {next, Next} end, lists:zip(Pids, Nexts)),
    [receive {ready, P} -> ok end || P <- Pids],
    Total = N * M,
    T0 = now_us(),
    First ! {token, Total},
    receive ring_done -> ok end,
    T1 = now_us(),
    [begin unlink(P), exit(P, kill) end || P <- Pids],
    S = secs(T0, T1),
    json([{bench, "ring"}, {procs, N}, {rounds, M}, {messages, Total},
          {seconds, S}, {messages_per_sec, rate(Total, S)} | common()]).

ring_wait_next(Parent) ->
    receive {next, Next} -> Parent ! {ready, self()}, ring_loop(Parent, Next) end.

ring_loop(Parent, Next) ->
    receive
        {token, 1} -> Parent ! ring_done, ring_loop(Parent, Next);
        {token, H} -> Next ! {token, H - 1}, ring_loop(Parent, Next)
    end.

%% ------------------------------------------------------------------ spawn
%% Phase 1: spawn_monitor T processes that return at once, at most
%%          ?SPAWN_WINDOW alive; each counted when its 'DOWN' arrives.
%% Phase 2: N idle processes alive at once; peak RSS (VmHWM) of the VM so far
%%          (read while they are alive; phase 1 peaks far lower).
%% Phase 3: bytes_per_process = delta of erlang:memory(processes) over K idle
%%          processes (blocked in receive, no user state) / K.

spawn_bench(N, T, K) ->
    Limit = erlang:system_info(process_limit),
    (max(N, K) + 1000 > Limit) andalso
        erlang:error({process_limit_too_low, Limit, "run erl with +P 2000000"}),
    T0 = now_us(),
    Initial = min(T, ?SPAWN_WINDOW),
    [spawn_monitor(fun() -> ok end) || _ <- lists:seq(1, Initial)],
    spawn_loop(T - Initial, T),
    T1 = now_us(),
    S = secs(T0, T1),
    garbage_collect(),
    %% Peak RSS first, so that VmHWM is not the K-process sample's peak.
    RssBefore = proc_status_bytes("VmRSS"),
    {Live, RssLive, Hwm} = idle_peak_rss(N),
    BytesPerProc = idle_bytes_per_process(K),
    json([{bench, "spawn"}, {spawns, T}, {seconds, S}, {spawns_per_sec, rate(T, S)},
          {idle_sample, K}, {bytes_per_process, BytesPerProc},
          {procs, N}, {live_procs, Live}, {rss_before_bytes, RssBefore},
          {rss_with_procs_bytes, RssLive}, {peak_rss_bytes, Hwm} | common()]).

%% ToSpawn still to be started, ToReap 'DOWN's still expected.
spawn_loop(_ToSpawn, 0) -> ok;
spawn_loop(ToSpawn, ToReap) ->
    receive
        {'DOWN', _, process, _, _} when ToSpawn > 0 ->
            spawn_monitor(fun() -> ok end),
            spawn_loop(ToSpawn - 1, ToReap - 1);
        {'DOWN', _, process, _, _} ->
            spawn_loop(0, ToReap - 1)
    end.

idle() -> receive stop -> ok end.

idle_bytes_per_process(K) ->
    Before = erlang:memory(processes),
    Pids = [spawn(fun idle/0) || _ <- lists:seq(1, K)],
    wait_all_waiting(Pids),
    After = erlang:memory(processes),
    stop_all(Pids),
    round((After - Before) / K).

idle_peak_rss(N) ->
    Pids = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
    wait_all_waiting(Pids),
    Live = erlang:system_info(process_count),
    Rss = proc_status_bytes("VmRSS"),
    Hwm = proc_status_bytes("VmHWM"),
    stop_all(Pids),
    {Live, Rss, Hwm}.

%% Make sure every process has run up to its receive (so it has its heap).
wait_all_waiting(Pids) ->
    lists:foreach(fun wait_waiting/1, Pids).

wait_waiting(P) ->
    case erlang:process_info(P, status) of
        {status, waiting} -> ok;
        _ -> erlang:yield(), wait_waiting(P)
    end.

stop_all(Pids) ->
    Refs = [begin R = monitor(process, P), P ! stop, R end || P <- Pids],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    ok.

%% ------------------------------------------------------------------- call
%% One gen_server replying at once; one client doing N sequential calls.

call(N) ->
    {ok, Srv} = gen_server:start_link(?MODULE, echo, []),
    T0 = now_us(),
    call_loop(Srv, N),
    T1 = now_us(),
    unlink(Srv),
    exit(Srv, kill),
    S = secs(T0, T1),
    json([{bench, "call"}, {calls, N}, {seconds, S}, {calls_per_sec, rate(N, S)} | common()]).

call_loop(_, 0) -> ok;
call_loop(Srv, I) -> ping = gen_server:call(Srv, ping), call_loop(Srv, I - 1).

%% ---------------------------------------------------------- restart storm
%% Each child's init/1 sends {started, Id, self()} to the collector (this
%% process), so restarts are counted exactly, without polling.

restart_storm(N, Strategy, K) when (Strategy =:= one_for_one orelse Strategy =:= one_for_all),
                                   K >= 1 ->
    process_flag(trap_exit, true),
    Collector = self(),
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, Strategy, N, K, Collector}),
    Initial = collect_started(N, #{}),
    %% Every storm restarts all N children; the first one, right after the start-up,
    %% is the figure, the later ones show the rate once warm.
    {Secs, _} = lists:foldl(fun(_, {Acc, Before}) ->
                                    {S, After} = one_storm(N, Strategy, Before),
                                    {[S | Acc], After}
                            end, {[], Initial}, lists:seq(1, K)),
    [S | _] = Each = lists:reverse(Secs),
    Count = erlang:length(supervisor:which_children(Sup)),
    N = Count,
    unlink(Sup),
    exit(Sup, shutdown),
    Rates = case K of
        1 -> [];
        _ -> [{each_restarts_per_sec, {array, [round(rate(N, E)) || E <- Each]}}]
    end,
    json([{bench, "restart_storm"}, {strategy, Strategy}, {children, N},
          {crashes, case Strategy of one_for_one -> N; one_for_all -> 1 end},
          {restarts, N}, {seconds, S},
          {restarts_per_sec, rate(N, S)} | Rates ++ common()]).

%% One storm on the running tree: kills every child (one_for_one) or the middle one
%% (one_for_all), waits until all N are back under new pids. Returns its seconds.
one_storm(N, Strategy, Before) ->
    T0 = now_us(),
    case Strategy of
        one_for_one -> maps:foreach(fun(_Id, Pid) -> exit(Pid, kill) end, Before);
        one_for_all -> exit(maps:get(N div 2, Before), kill)
    end,
    After = collect_started(N, #{}),
    T1 = now_us(),
    N = map_size(After),
    true = lists:all(fun(Id) -> maps:get(Id, After) =/= maps:get(Id, Before) end,
                     maps:keys(Before)),
    {secs(T0, T1), After}.

collect_started(0, Acc) -> Acc;
collect_started(K, Acc) ->
    receive {started, Id, Pid} -> collect_started(K - 1, Acc#{Id => Pid}) end.

start_child(Collector, Id) ->
    gen_server:start_link(?MODULE, {child, Collector, Id}, []).

%% ------------------------------------------------------------- callbacks

init({sup, Strategy, N, K, Collector}) ->
    %% Room for every storm's restarts within the period, and N more.
    Flags = #{strategy => Strategy, intensity => N * (K + 1), period => 5},
    Children = [#{id => Id,
                  start => {?MODULE, start_child, [Collector, Id]},
                  restart => permanent,
                  shutdown => brutal_kill,
                  type => worker,
                  modules => [?MODULE]} || Id <- lists:seq(1, N)],
    {ok, {Flags, Children}};
init({child, Collector, Id}) ->
    Collector ! {started, Id, self()},
    {ok, Id};
init(echo) ->
    {ok, nostate}.

handle_call(ping, _From, State) -> {reply, ping, State}.
handle_cast(_Msg, State) -> {noreply, State}.
handle_info(_Msg, State) -> {noreply, State}.
