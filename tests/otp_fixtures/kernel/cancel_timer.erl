%% cancel_timer: erlang:send_after/3 with read_timer/1 and cancel_timer/1
%% before and after expiry. Remaining times vary, so they are printed as
%% their type plus a range check (0 < T =< timeout).
-module(cancel_timer).
-include("probe.hrl").

main() ->
    %% Before expiry (timer of 1000 ms).
    T1 = erlang:send_after(1000, self(), tmo1),
    fact("before_expiry.read_timer", shape(erlang:read_timer(T1), 1000)),
    fact("before_expiry.cancel_timer", shape(erlang:cancel_timer(T1), 1000)),
    fact("before_expiry.message_after_cancel", drain(20)),
    fact("cancelled.read_timer", erlang:read_timer(T1)),
    fact("cancelled.cancel_timer_again", erlang:cancel_timer(T1)),
    %% After expiry (timer of 10 ms, then wait until the message is queued).
    T2 = erlang:send_after(10, self(), tmo2),
    wait_queue_len(1),
    fact("after_expiry.read_timer", erlang:read_timer(T2)),
    fact("after_expiry.cancel_timer", erlang:cancel_timer(T2)),
    fact("after_expiry.mailbox", mailbox()),
    _ = drain(0),
    %% start_timer wraps the message.
    T3 = erlang:start_timer(1, self(), tmo3),
    fact("start_timer.message", scrub(receive M -> M end, [{T3, tref}])),
    %% Timer of 0 ms.
    T4 = erlang:send_after(0, self(), tmo4),
    fact("zero_timeout.message", receive M4 -> M4 after 100 -> none end),
    fact("zero_timeout.read_timer", erlang:read_timer(T4)),
    ok.

shape(T, Max) when is_integer(T) -> {integer, T > 0 andalso T =< Max};
shape(Other, _) -> Other.
