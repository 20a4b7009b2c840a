# cleanup.exs: what happens when registered processes and partitions die: REG-6
# (the asynchronous clean-up), REG-7 (listeners, a partition's death), and the
# registry's metadata, unknown registries and partitions.
Code.require_file("probe.exs", __DIR__)

Probe.name(self(), :main)
me = self()
{:ok, dsup} = Registry.start_link(keys: :duplicate, name: :reg_d)
Probe.name(dsup, :dsup)
dpart0 = Probe.name(Probe.partition(:reg_d, 0), :dpart0)
Registry.register(:reg_d, :k, 1)
{p2, _} = Probe.holder(fn -> Registry.register(:reg_d, :k, 2) end)
Probe.name(p2, :p2)
{:ok, sup} = Registry.start_link(keys: :unique, name: :reg_u)
Probe.name(sup, :sup)

# ----- REG-6: the asynchronous clean-up -------------------------------------------
:sys.suspend(dpart0)
Probe.kill_and_wait(p2)
Registry.register(:reg_d, :k, 9)
Probe.fact("reg6.stale.lookup", Registry.lookup(:reg_d, :k))
Probe.fact("reg6.stale.count", Registry.count(:reg_d))
Probe.fact("reg6.stale.count_match", Registry.count_match(:reg_d, :k, :_))
Registry.dispatch(:reg_d, :k, fn entries -> send(me, {:called, entries}) end)
Probe.fact("reg6.stale.dispatch_calls", Probe.drain(0))
:sys.resume(dpart0)
:sys.get_state(dpart0)
Probe.fact("reg6.cleaned.lookup", Registry.lookup(:reg_d, :k))
# Without suspend: a lookup straight after receiving the holder's DOWN.
runs = 1000

window =
  for _ <- 1..runs do
    {p, _} = Probe.holder(fn -> Registry.register(:reg_d, :w, :x) end)
    Probe.kill_and_wait(p)
    if Registry.lookup(:reg_d, :w) == [], do: :cleaned, else: :stale
  end

Probe.fact("reg6.after_down.runs", runs)
Probe.fact("reg6.after_down.lookup_outcomes", Enum.sort(Enum.uniq(window)))
# Unique lookups after the DOWN, same question.
uwindow =
  for i <- 1..runs do
    {p, _} = Probe.holder(fn -> Registry.register(:reg_u, {:w, i}, :x) end)
    Probe.kill_and_wait(p)
    if Registry.lookup(:reg_u, {:w, i}) == [], do: :cleaned, else: :stale
  end

Probe.fact("reg6.after_down.unique_lookup_outcomes", Enum.sort(Enum.uniq(uwindow)))

# ----- REG-7: listeners ------------------------------------------------------------
listener =
  spawn(fn ->
    receive do
      {:report, to} -> send(to, {:heard, Probe.drain(0)})
    end

    # Keep the name: later registrations still notify this listener.
    receive do
      :stop -> :ok
    end
  end)

Probe.name(listener, :listener)
Process.register(listener, :reg_listener)
{:ok, lsup} = Registry.start_link(keys: :unique, name: :reg_l, listeners: [:reg_listener])
Probe.name(lsup, :lsup)
Registry.register(:reg_l, :a, 1)
Registry.unregister(:reg_l, :a)
Registry.unregister(:reg_l, :never_registered)
{p3, _} = Probe.holder(fn -> Registry.register(:reg_l, :b, 2) end)
Probe.name(p3, :p3)
Probe.kill_and_wait(p3)
:sys.get_state(Probe.partition(:reg_l, 0))
Probe.fact("reg7.lookup_after_death", Registry.lookup(:reg_l, :b))
send(listener, {:report, self()})

receive do
  {:heard, msgs} -> Probe.fact("reg7.listener_heard", msgs)
end

# A partition's death takes its linked, registered processes with it.
{p4, _} = Probe.holder(fn -> Registry.register(:reg_l, :c, 3) end)
Probe.name(p4, :p4)

p5 =
  spawn(fn ->
    Process.flag(:trap_exit, true)
    Registry.register(:reg_l, :d, 4)
    send(me, {:p5_ready, self()})

    receive do
      {:report, to} -> send(to, {:p5_heard, Probe.drain(0)})
    end
  end)

receive do
  {:p5_ready, ^p5} -> :ok
end

Probe.name(p5, :p5)
lpart0 = Probe.name(Probe.partition(:reg_l, 0), :lpart0)
ref4 = Process.monitor(p4)
Process.exit(lpart0, :kill)

receive do
  {:DOWN, ^ref4, _, _, reason} -> Probe.fact("reg7.partition_killed.registered_exits", reason)
end

Probe.fact("reg7.partition_killed.trapping_alive", Process.alive?(p5))
send(p5, {:report, self()})

receive do
  {:p5_heard, msgs} -> Probe.fact("reg7.partition_killed.trapping_heard", msgs)
end

Probe.fact("reg7.partition_killed.entries_gone", Registry.lookup(:reg_l, :d))

# ----- meta ------------------------------------------------------------------------
{:ok, msup} = Registry.start_link(keys: :unique, name: :reg_m, meta: [custom: 1])
Probe.name(msup, :msup)
Probe.fact("meta.get", Registry.meta(:reg_m, :custom))
Probe.fact("meta.missing", Registry.meta(:reg_m, :nope))
Probe.fact("meta.put", Registry.put_meta(:reg_m, :other, 2))
Probe.fact("meta.get_put", Registry.meta(:reg_m, :other))
Probe.fact("meta.unknown_registry", Probe.try_(fn -> Registry.meta(:no_such_registry, :custom) end))
Probe.fact("unknown_registry.lookup", Probe.try_(fn -> Registry.lookup(:no_such_registry, :k) end))
Probe.fact("unknown_registry.register", Probe.try_(fn -> Registry.register(:no_such_registry, :k, 1) end))

# ----- partitions ------------------------------------------------------------------
{:ok, psup} = Registry.start_link(keys: :unique, name: :reg_p, partitions: 4)
Probe.name(psup, :psup)
parts = for i <- 0..3, do: Probe.name(Probe.partition(:reg_p, i), String.to_atom("ppart#{i}"))
Probe.fact("partitions.count", length(Supervisor.which_children(psup)))
owners = for i <- 1..8, do: elem(Registry.register(:reg_p, i, i), 1)
Probe.fact("partitions.owner_same_for_all_keys", length(Enum.uniq(owners)) == 1)
Probe.fact("partitions.owner_is_a_partition", hd(owners) in parts)
Probe.fact("partitions.count_entries", Registry.count(:reg_p))
Probe.fact("partitions.keys", Enum.sort(Registry.keys(:reg_p, self())))
