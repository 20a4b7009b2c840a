%% Runs one conformance scenario (tests/conformance/scenarios/NAME.json) on real
%% OTP and writes what it observed as tests/conformance/expected/NAME.json.
%%
%%   erl +S 1 -noshell -pa EBIN -eval 'conf_run:main(["SCENARIO.json", "OUT.json"])'
%%
%% The calling process is the driver: it traps exits, starts the root supervisor
%% linked to itself, performs the timeline's actions at their offsets (ms after the
%% root's start was requested), takes the final snapshot at end_ms, writes the file
%% and halts the node. run.sh runs every scenario.
-module(conf_run).
-export([main/1]).

main([ScenarioFile, OutFile]) ->
    {ok, Bin} = file:read_file(ScenarioFile),
    Sc = conf_json:decode(Bin),
    ok = logger:remove_handler(default),
    ok = logger:set_primary_config(level, all),
    ok = logger:add_handler(conf, conf_log, #{level => all}),
    {ok, _} = conf_rec:start(),
    process_flag(trap_exit, true),
    T0 = erlang:monotonic_time(millisecond),
    Start = conf_sup:start_link("root", tree_node(maps:get(<<"root">>, Sc))),
    line("start root -> " ++ show(Start)),
    lists:foreach(fun(A) -> sleep_until(T0, maps:get(<<"at_ms">>, A)), act(A) end,
                  maps:get(<<"timeline">>, Sc, [])),
    sleep_until(T0, maps:get(<<"end_ms">>, Sc)),
    Final = snapshot(),
    S = conf_rec:dump(),
    Out = {obj, [{scenario, {str, filename:basename(ScenarioFile, ".json")}},
                 {otp_release, {str, erlang:system_info(otp_release)}},
                 {driver, [{str, L} || L <- lists:reverse(maps:get(driver, S))]},
                 {processes, lines(maps:get(procs, S))},
                 {supervisors, lines(maps:get(sups, S))},
                 {final, Final}]},
    ok = file:write_file(OutFile, conf_json:encode(Out)),
    erlang:halt(0).

lines(Map) ->
    {obj, [{{str, K}, [{str, L} || L <- lists:reverse(V)]} || {K, V} <- lists:sort(maps:to_list(Map))]}.

sleep_until(T0, AtMs) ->
    Left = T0 + AtMs - erlang:monotonic_time(millisecond),
    Left > 0 andalso timer:sleep(Left).

line(L) -> ok = conf_rec:driver(L).

show(T) -> conf_rec:fmt(conf_rec:named(T)).

%% ---- the scenario's tree ---------------------------------------------------------

str(B) -> binary_to_list(B).
atom(B) -> binary_to_atom(B).

term(B) ->
    {ok, Toks, _} = erl_scan:string(str(B) ++ "."),
    {ok, T} = erl_parse:parse_term(Toks),
    T.

tree_node(N) ->
    #{strategy => atom(maps:get(<<"strategy">>, N, <<"one_for_one">>)),
      max_restarts => maps:get(<<"max_restarts">>, N, 3),
      max_seconds => maps:get(<<"max_seconds">>, N, 5),
      auto_shutdown => atom(maps:get(<<"auto_shutdown">>, N, <<"never">>)),
      max_children => maps:get(<<"max_children">>, N, infinity),
      children => [child(C) || C <- maps:get(<<"children">>, N, [])]}.

child(C) ->
    Type = atom(maps:get(<<"type">>, C, <<"worker">>)),
    Default = case Type of worker -> 5000; _ -> <<"infinity">> end,
    Shutdown = case maps:get(<<"shutdown">>, C, Default) of
                   I when is_integer(I) -> I;
                   B -> atom(B)
               end,
    Base = #{id => atom(maps:get(<<"id">>, C)), type => Type,
             restart => atom(maps:get(<<"restart">>, C, <<"permanent">>)),
             shutdown => Shutdown,
             significant => maps:get(<<"significant">>, C, false)},
    case Type of
        worker ->
            Base#{worker => #{trap_exit => maps:get(<<"trap_exit">>, C, false),
                              terminate_ms => maps:get(<<"terminate_ms">>, C, 0),
                              init => init(maps:get(<<"init">>, C, <<"ok">>)),
                              fail_on => [{maps:get(<<"start">>, F), init(maps:get(<<"init">>, F))}
                                          || F <- maps:get(<<"fail_on">>, C, [])]}};
        _ ->
            Base#{node => tree_node(C)}
    end.

init(<<"ok">>) -> ok;
init(<<"ignore">>) -> ignore;
init(#{<<"error">> := R}) -> {error, term(R)};
init(#{<<"crash">> := Msg}) -> {crash, Msg}.

%% ---- actions ---------------------------------------------------------------------

act(A = #{<<"do">> := Do}) ->
    act(Do, A).

act(Do, A) when Do =:= <<"kill">>; Do =:= <<"exit">> ->
    Path = str(maps:get(<<"path">>, A)),
    Reason = term(maps:get(<<"reason">>, A)),
    Target = case conf_rec:pid_of(Path) of
                 undefined -> Path ++ " noproc";
                 Pid ->
                     case Do of
                         <<"kill">> -> exit(Pid, Reason);
                         <<"exit">> -> gen_server:cast(Pid, {stop_with, Reason})
                     end,
                     show(Pid)
             end,
    line(str(Do) ++ " " ++ Target ++ " " ++ conf_rec:fmt(Reason));
act(<<"stop">>, A) ->
    Path = str(maps:get(<<"path">>, A)),
    Reason = term(maps:get(<<"reason">>, A, <<"normal">>)),
    R = gen_server:stop(conf_rec:pid_of(Path), Reason, infinity),
    line("stop " ++ Path ++ " " ++ conf_rec:fmt(Reason) ++ " -> " ++ show(R));
act(<<"which_children">>, A) ->
    Path = str(maps:get(<<"sup">>, A)),
    line("which_children " ++ Path ++ " ->" ++
         lists:append([" " ++ Id ++ ":" ++ St || [{str, Id}, {str, St}] <- children(Path)]));
act(<<"start_child">>, A) ->
    Path = str(maps:get(<<"sup">>, A)),
    Child = child(maps:get(<<"child">>, A)),
    Spec = conf_sup:child_spec(Path, Child),
    Sup = conf_rec:pid_of(Path),
    R = case conf_rec:kind_of(Path) of
            dynsup -> 'Elixir.DynamicSupervisor':start_child(Sup, Spec);
            sup -> strip_child(supervisor:start_child(Sup, Spec))
        end,
    line("start_child " ++ Path ++ " " ++ atom_to_list(maps:get(id, Child)) ++ " -> " ++ show(R));
act(<<"terminate_child">>, A = #{<<"child_path">> := ChildPath}) ->
    %% A DynamicSupervisor's children are named by pid (DSUP-4).
    Path = str(maps:get(<<"sup">>, A)),
    Child = conf_rec:pid_of(str(ChildPath)),
    R = 'Elixir.DynamicSupervisor':terminate_child(conf_rec:pid_of(Path), Child),
    line("terminate_child " ++ Path ++ " " ++ show(Child) ++ " -> " ++ show(R));
act(Do, A) when Do =:= <<"terminate_child">>; Do =:= <<"restart_child">>;
                Do =:= <<"delete_child">> ->
    Path = str(maps:get(<<"sup">>, A)),
    Id = atom(maps:get(<<"id">>, A)),
    Fun = atom(Do),
    R = supervisor:Fun(conf_rec:pid_of(Path), Id),
    line(str(Do) ++ " " ++ Path ++ " " ++ atom_to_list(Id) ++ " -> " ++ show(R)).

%% start_child's {error, {Reason, ChildInfo}}: the child info is OTP's internal
%% #child record, which otpsim need not reproduce, so both sides print `child`.
strip_child({error, {already_started, _} = E}) -> {error, E};
strip_child({error, {Reason, _ChildInfo}}) -> {error, {Reason, child}};
strip_child(R) -> R.

%% ---- the final state -------------------------------------------------------------

%% which_children of the supervisor at Path as [Name, Status] rows: Name is the
%% child id, or under a DynamicSupervisor (where every id is undefined) the name of
%% the child's process.
children(Path) ->
    Dynamic = conf_rec:kind_of(Path) =:= dynsup,
    [[{str, row_name(Dynamic, Id, P)}, {str, status(P)}]
     || {Id, P, _, _} <- supervisor:which_children(conf_rec:pid_of(Path))].

row_name(true, _Id, P) when is_pid(P) -> show(P);
row_name(_, Id, _P) -> atom_to_list(Id).

status(P) when is_pid(P) -> "running";
status(A) -> atom_to_list(A).

snapshot() ->
    Root = conf_rec:pid_of("root"),
    Sups = case Root =/= undefined andalso is_process_alive(Root) of
               true -> tree("root");
               false -> []
           end,
    #{names := Names} = conf_rec:dump(),
    Alive = lists:sort([{str, N} || {P, N} <- maps:to_list(Names), is_process_alive(P)]),
    {obj, [{which_children, {obj, Sups}}, {alive, Alive}]}.

tree(Path) ->
    Children = supervisor:which_children(conf_rec:pid_of(Path)),
    [{{str, Path}, children(Path)}
     | lists:append([tree(Path ++ "/" ++ atom_to_list(Id))
                     || {Id, P, supervisor, _} <- Children, is_pid(P)])].
