%% sup_spec_probe: what supervisor:start_link/2 returns for flags and child specs it
%% rejects (SUP-1 to SUP-3), and what the link then leaves for a trapping caller.
%% The module is the supervisor's callback: init/1 returns its argument.
-module(sup_spec_probe).
-behaviour(supervisor).
-export([main/0, init/1, start_worker/0]).

main() ->
    logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    W = fun(Id) -> #{id => Id, start => {?MODULE, start_worker, []}} end,
    Cases = [{"duplicate_id", #{}, [W(a), W(b), W(a)]},
             {"significant_permanent", #{auto_shutdown => any_significant},
              [(W(a))#{significant => true}]},
             {"significant_never", #{}, [(W(a))#{restart => transient, significant => true}]},
             {"period_zero", #{period => 0}, [W(a)]},
             {"intensity_negative", #{intensity => -1}, [W(a)]}],
    [begin
         R = supervisor:start_link(?MODULE, {ok, {Flags, Specs}}),
         fact([Key, ".returned"], scrub(R)),
         fact([Key, ".mailbox"], scrub(drain()))
     end || {Key, Flags, Specs} <- Cases],
    ok.

init(Result) -> Result.

start_worker() -> {ok, spawn_link(fun() -> receive stop -> ok end end)}.

drain() -> receive M -> [M | drain()] after 50 -> [] end.

scrub(P) when is_pid(P) -> pid;
scrub(T) when is_tuple(T) -> list_to_tuple(scrub(tuple_to_list(T)));
scrub(L) when is_list(L) -> [scrub(X) || X <- L];
scrub(T) -> T.

fact(Key, Value) ->
    io:put_chars([lists:flatten(Key), $=, io_lib:format("~0p", [Value]), $\n]).
