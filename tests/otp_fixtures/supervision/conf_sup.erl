%% The supervisor callback of the conformance scenarios: a tree node of the
%% scenario JSON (already converted by conf_run:node/1) becomes the flags and
%% child specs of a real OTP supervisor. It registers with conf_rec first, so the
%% recorder names it by path and incarnation.
-module(conf_sup).
-behaviour(supervisor).
-export([start_link/2, init/1, child_spec/2]).

start_link(Path, Node) ->
    supervisor:start_link(?MODULE, {Path, Node}).

init({Path, Node}) ->
    [Parent | _] = get('$ancestors'),
    _ = conf_rec:register(Path, sup, Parent),
    #{strategy := Strategy, max_restarts := MaxR, max_seconds := MaxS,
      auto_shutdown := Auto, children := Children} = Node,
    Flags = #{strategy => Strategy, intensity => MaxR, period => MaxS,
              auto_shutdown => Auto},
    {ok, {Flags, [child_spec(Path, C) || C <- Children]}}.

%% The child spec of a converted child under the supervisor at Path.
child_spec(Path, Child = #{id := Id, type := Type}) ->
    ChildPath = Path ++ "/" ++ atom_to_list(Id),
    {Start, SpecType} =
        case Type of
            worker -> {{conf_worker, start_link, [ChildPath, maps:get(worker, Child)]}, worker};
            supervisor -> {{conf_sup, start_link, [ChildPath, maps:get(node, Child)]}, supervisor};
            dynamic_supervisor ->
                {{conf_dynsup, start_link, [ChildPath, maps:get(node, Child)]}, supervisor}
        end,
    Spec = #{id => Id, start => Start, type => SpecType,
             restart => maps:get(restart, Child), shutdown => maps:get(shutdown, Child)},
    %% Elixir's DynamicSupervisor knows no `significant` key (DSUP-1).
    case maps:get(significant, Child) of
        true -> Spec#{significant => true};
        false -> Spec
    end.
