%% The recorder: one registered process that names every process of the tree by
%% its path and incarnation ("root/db/c2#2"), monitors it, and keeps
%%  - per process: its lifecycle lines ("init ok", "terminate shutdown", "exit killed");
%%  - per supervisor: the lines about its children and its reports, in the order the
%%    recorder received them ("child c2#1 init ok", "progress c2",
%%    "child c2#1 exit boom", "child_terminated c2 boom", "max_intensity c2", ...).
%%    A child's exit is listed there only if the supervisor reported its start
%%    (progress): a child whose start failed exits concurrently with what its
%%    supervisor does next, so that exit has no guaranteed place in the sequence;
%%  - the driver's lines.
%% Everything is sent to this one process, so lines that are causally ordered on
%% one node (and on one scheduler, erl +S 1) arrive in that order.
-module(conf_rec).
-export([start/0, register/3, init_result/2, terminate_cb/2, sup_report/3,
         driver/1, named/1, pid_of/1, kind_of/1, dump/0, fmt/1]).

start() ->
    Pid = spawn(fun() -> loop(#{counts => #{}, names => #{}, paths => #{},
                                parents => #{}, kinds => #{}, procs => #{}, sups => #{}, started => #{},
                                driver => []}) end),
    true = erlang:register(conf_rec, Pid),
    {ok, Pid}.

call(Msg) ->
    Ref = make_ref(),
    conf_rec ! {call, self(), Ref, Msg},
    receive {Ref, Reply} -> Reply end.

%% A new process of the tree: returns its incarnation number (1 for the first start
%% of Path). Kind is worker, sup or dynsup; Parent is the supervisor that starts it
%% (the driver for the root).
register(Path, Kind, Parent) -> call({register, Path, self(), Kind, Parent}).
init_result(Pid, Text) -> conf_rec ! {proc_line, Pid, "init " ++ Text, child}, ok.
terminate_cb(Pid, Reason) -> conf_rec ! {proc_line, Pid, "terminate " ++ fmt(Reason), none}, ok.
sup_report(SupPid, Kind, Report) -> conf_rec ! {sup_report, SupPid, Kind, Report}, ok.
driver(Line) -> call({driver, Line}).
%% T with every pid of the tree replaced by its name as an atom.
named(T) -> call({named, T}).
pid_of(Path) -> call({pid_of, Path}).
%% worker, sup or dynsup: what the latest process of Path is.
kind_of(Path) -> call({kind_of, Path}).
dump() -> call(dump).

%% A term on one line, as ~0p prints it.
fmt(T) -> lists:flatten(io_lib:format("~0p", [T])).

loop(S) ->
    receive
        {call, From, Ref, Msg} ->
            {Reply, S2} = handle_call(Msg, S),
            From ! {Ref, Reply},
            loop(S2);
        {proc_line, Pid, "init ok" = Line, child} ->
            %% A DynamicSupervisor logs no progress: its child counts as started
            %% once its init returned ok.
            Parent = maps:get(Pid, maps:get(parents, S)),
            S1 = case maps:get(Parent, maps:get(kinds, S), driver) of
                     dynsup -> S#{started := (maps:get(started, S))#{Pid => true}};
                     _ -> S
                 end,
            loop(parent_line(Pid, Line, proc_line(Pid, Line, S1)));
        {proc_line, Pid, Line, AlsoParent} ->
            S2 = proc_line(Pid, Line, S),
            loop(case AlsoParent of
                     child -> parent_line(Pid, Line, S2);
                     none -> S2
                 end);
        {'DOWN', _, process, Pid, Reason} ->
            Line = "exit " ++ fmt(named(Reason, S)),
            S2 = proc_line(Pid, Line, S),
            %% A child whose start failed exits while its supervisor goes on: that
            %% exit is ordered only in the child's own sequence.
            loop(case maps:is_key(Pid, maps:get(started, S)) of
                     true -> parent_line(Pid, Line, S2);
                     false -> S2
                 end);
        {sup_report, SupPid, progress, Report} ->
            Started = proplists:get_value(pid, proplists:get_value(started, Report)),
            S2 = S#{started := (maps:get(started, S))#{Started => true}},
            loop(sup_line(SupPid, report_line(progress, named(Report, S)), S2));
        {sup_report, SupPid, Kind, Report} ->
            loop(sup_line(SupPid, report_line(Kind, named(Report, S)), S))
    end.

handle_call({register, Path, Pid, Kind, Parent}, S = #{counts := C, names := N, paths := P,
                                                       parents := Pa}) ->
    Inc = maps:get(Path, C, 0) + 1,
    Name = Path ++ "#" ++ integer_to_list(Inc),
    erlang:monitor(process, Pid),
    S2 = S#{counts := C#{Path => Inc}, names := N#{Pid => Name}, paths := P#{Path => Pid},
            parents := Pa#{Pid => Parent}},
    S3 = case Kind of
             %% A supervisor's start is its init callback running: nothing to wait for.
             worker -> S2;
             _ -> parent_line(Pid, "init", proc_line(Pid, "init", S2))
         end,
    {Inc, S3#{kinds := (maps:get(kinds, S3))#{Pid => Kind}}};
handle_call({driver, Line}, S = #{driver := D}) ->
    {ok, S#{driver := [Line | D]}};
handle_call({named, T}, S) ->
    {named(T, S), S};
handle_call({pid_of, Path}, S = #{paths := P}) ->
    {maps:get(Path, P, undefined), S};
handle_call({kind_of, Path}, S = #{paths := P, kinds := K}) ->
    {maps:get(maps:get(Path, P, undefined), K, undefined), S};
handle_call(dump, S) ->
    {S, S}.

proc_line(Pid, Line, S = #{names := N, procs := Procs}) ->
    Name = maps:get(Pid, N),
    S#{procs := maps:update_with(Name, fun(L) -> [Line | L] end, [Line], Procs)}.

%% The same line in the parent supervisor's sequence, prefixed with the child's
%% id and incarnation ("child c2#1 exit boom").
parent_line(Pid, Line, S = #{names := N, parents := Pa}) ->
    Name = maps:get(Pid, N),
    case string:split(Name, "/", trailing) of
        [_, IdInc] -> sup_line(maps:get(Pid, Pa), "child " ++ IdInc ++ " " ++ Line, S);
        [_] -> S % the root: its parent is the driver
    end.

sup_line(SupPid, Line, S = #{names := N, sups := Sups}) ->
    case maps:find(SupPid, N) of
        {ok, Name} ->
            S#{sups := maps:update_with(Name, fun(L) -> [Line | L] end, [Line], Sups)};
        error -> S
    end.

report_line(progress, Report) ->
    "progress " ++ fmt(child_id(proplists:get_value(started, Report)));
report_line(Kind, Report) ->
    Id = fmt(child_id(proplists:get_value(offender, Report))),
    Reason = proplists:get_value(reason, Report),
    case {Kind, Reason} of
        {shutdown, reached_max_restart_intensity} -> "max_intensity " ++ Id;
        _ -> atom_to_list(Kind) ++ " " ++ Id ++ " " ++ fmt(Reason)
    end.

child_id(Info) -> proplists:get_value(id, Info).

%% Pids replaced by the names of the processes they are ('root/c1#1').
named(T, #{names := N}) when is_pid(T) ->
    case maps:find(T, N) of
        {ok, Name} -> list_to_atom(Name);
        error -> T
    end;
named(T, S) when is_tuple(T) -> list_to_tuple(named(tuple_to_list(T), S));
named(L, S) when is_list(L) -> [named(X, S) || X <- L];
named(T, _) -> T.
