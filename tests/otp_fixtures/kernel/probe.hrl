%% probe.hrl: helpers shared by the kernel probes (included by every NAME.erl).
%%
%% A probe module defines main/0, which prints facts with fact/2, one per
%% line: Key=Value, Value in Erlang term syntax (~p, kept on one line).
%% Pids and refs are never printed raw: note/1 and scrub/2 replace them by
%% names (self, main, p1, a, b, ... or ref/pid for anything unnamed).
-export([main/0]).
-compile([nowarn_unused_function]).

fact(Key, Value) ->
    io:put_chars([lists:flatten([Key]), $=, io_lib:format("~0p", [Value]), $\n]).

%% Replace pids/refs/ports found in Names ([{PidOrRef, Atom}]) by their
%% name; any other pid becomes 'pid', ref 'ref', port 'port'.
scrub(T, Names) when is_pid(T); is_reference(T); is_port(T) ->
    case lists:keyfind(T, 1, Names) of
        {_, Name} -> Name;
        false when is_pid(T) -> pid;
        false when is_reference(T) -> ref;
        false -> port
    end;
scrub([H | T], Names) -> [scrub(H, Names) | scrub(T, Names)];
scrub(T, Names) when is_tuple(T) -> list_to_tuple(scrub(tuple_to_list(T), Names));
scrub(T, Names) when is_map(T) ->
    maps:from_list([{scrub(K, Names), scrub(V, Names)} || {K, V} <- maps:to_list(T)]);
scrub(T, _Names) -> T.

%% observe(Fun): run Fun() in a fresh process (monitored, not linked).
%% Inside it, note(X) sends an observation to the observer and name(P, N)
%% gives P a printable name. Returns {Notes, ExitReason}, where Notes is the
%% list of observations in order, scrubbed (the process itself is 'self',
%% the observer 'main').
observe(Fun) ->
    Main = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
                                       put(probe_main, Main),
                                       put(probe_names, [{self(), self}, {Main, main}]),
                                       Fun()
                               end),
    collect(Pid, Ref, []).

collect(Pid, Ref, Acc) ->
    receive
        {probe_note, Pid, X} -> collect(Pid, Ref, [X | Acc]);
        {'DOWN', Ref, process, Pid, Reason} -> {lists:reverse(Acc), scrub(Reason, [{Pid, self}])}
    end.

note(X) -> get(probe_main) ! {probe_note, self(), scrub(X, get(probe_names))}.

name(P, Name) -> put(probe_names, [{P, Name} | get(probe_names)]), P.

%% A pid that is known to be dead.
dead_pid() ->
    {P, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, process, P, _} -> P end.

%% Wait until at least N messages are queued (without receiving them).
wait_queue_len(N) ->
    case erlang:process_info(self(), message_queue_len) of
        {message_queue_len, L} when L >= N -> ok;
        _ -> receive after 1 -> wait_queue_len(N) end
    end.

%% The messages currently queued, without removing them.
mailbox() ->
    {messages, Ms} = erlang:process_info(self(), messages),
    Ms.

%% Receive whatever arrives within Ms milliseconds, in order.
drain(Ms) ->
    receive M -> [M | drain(Ms)] after Ms -> [] end.

%% Run F() N times; return [{Result, Count}] sorted by Result.
repeat_counts(N, F) ->
    counts([F() || _ <- lists:seq(1, N)]).

counts(L) ->
    lists:sort(maps:to_list(lists:foldl(fun(X, M) -> maps:update_with(X, fun(C) -> C + 1 end, 1, M) end,
                                        #{}, L))).
