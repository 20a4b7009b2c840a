# gs_defaults: what `use GenServer`'s default callbacks do (GS-16). Run with:
# bash run.sh gs_defaults (see README.md). The server defines init/1 only. An
# exception's stack trace is left out: a crash prints as {Exception, 'message'}.
Code.require_file("../task/probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()

defmodule Bare do
  use GenServer
  def init(arg), do: {:ok, arg}
end

# Drops the stack of an {exception, stack} crash.
strip = fn
  {{%{__exception__: true} = e, _stack}, mfa} -> {e, mfa}
  {%{__exception__: true} = e, _stack} -> e
  other -> other
end

Probe.observe(fn ->
  {:ok, s} = GenServer.start(Bare, :state)
  Probe.name(s, :s)
  ref = Process.monitor(s)
  send(s, :unexpected)
  Process.sleep(20)
  Probe.fact("info.alive", Process.alive?(s))
  r = try do GenServer.call(s, :get) catch :exit, r -> strip.(r) end
  Probe.fact("call.caller_reason", r)
  Probe.fact("call.server_reason", receive do {:DOWN, ^ref, _, _, r} -> strip.(r) end)
  {:ok, s} = GenServer.start(Bare, :state)
  Probe.name(s, :s)
  ref = Process.monitor(s)
  Probe.fact("cast.returned", GenServer.cast(s, :poke))
  Probe.fact("cast.server_reason", receive do {:DOWN, ^ref, _, _, r} -> strip.(r) end)
end)
