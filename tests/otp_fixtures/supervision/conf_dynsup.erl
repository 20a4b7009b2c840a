%% The DynamicSupervisor callback of the conformance scenarios: Elixir's real
%% DynamicSupervisor (erl -pa <elixir>/lib/elixir/ebin) with the flags of a
%% scenario node of type dynamic_supervisor. It registers with conf_rec first.
-module(conf_dynsup).
-export([start_link/2, init/1]).

start_link(Path, Node) ->
    'Elixir.DynamicSupervisor':start_link(?MODULE, {Path, Node}).

init({Path, Node}) ->
    [Parent | _] = get('$ancestors'),
    _ = conf_rec:register(Path, dynsup, Parent),
    #{max_restarts := MaxR, max_seconds := MaxS, max_children := MaxC} = Node,
    'Elixir.DynamicSupervisor':init([{strategy, one_for_one}, {max_restarts, MaxR},
                                     {max_seconds, MaxS}, {max_children, MaxC}]).
