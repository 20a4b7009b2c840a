# registry.exs: Registry basics, REG-1 to REG-5 and REG-8 (start and partitions,
# register and links, unique conflicts and the replacement of a dead holder,
# duplicate keys, unregister, dispatch, count, count_match, select).
Code.require_file("probe.exs", __DIR__)

Probe.name(self(), :main)

# ----- REG-1, REG-2: start, register, link ----------------------------------------
{:ok, sup} = Registry.start_link(keys: :unique, name: :reg_u)
Probe.name(sup, :sup)
part0 = Probe.name(Probe.partition(:reg_u, 0), :part0)
Probe.fact("reg1.start_link", {:ok, sup})
Probe.fact("reg1.sup_registered_as_name", Process.whereis(:reg_u) == sup)
Probe.fact("reg1.partition_traps_exits", Process.info(part0, :trap_exit))
Probe.fact("reg1.partition_linked_to_sup", part0 in elem(Process.info(sup, :links), 1))
Probe.fact("reg1.start_again", Registry.start_link(keys: :unique, name: :reg_u))
Probe.fact("reg2.register", Registry.register(:reg_u, :k, :v))
Probe.fact("reg2.caller_linked_to_partition", part0 in elem(Process.info(self(), :links), 1))
Probe.fact("reg2.lookup", Registry.lookup(:reg_u, :k))
Probe.fact("reg2.lookup_from_other", Probe.in_proc(fn -> Registry.lookup(:reg_u, :k) end))
Probe.fact("reg2.lookup_missing", Registry.lookup(:reg_u, :missing))
Probe.fact("reg2.keys", Registry.keys(:reg_u, self()))

# ----- REG-3: unique conflicts ----------------------------------------------------
Probe.fact("reg3.register_again_self", Registry.register(:reg_u, :k, :other))
Probe.fact("reg3.register_from_other", Probe.in_proc(fn -> Registry.register(:reg_u, :k, :x) end))
Probe.fact("reg3.lookup_kept", Registry.lookup(:reg_u, :k))
# A dead holder the partition has not cleaned up yet is replaced: hold the partition
# with sys:suspend so it cannot handle the holder's EXIT.
{p1, r} = Probe.holder(fn -> Registry.register(:reg_u, :k2, :old) end)
Probe.name(p1, :p1)
Probe.fact("reg3.p1_register", r)
:sys.suspend(part0)
Probe.kill_and_wait(p1)
Probe.fact("reg3.stale.lookup", Registry.lookup(:reg_u, :k2))
Probe.fact("reg3.stale.count", Registry.count(:reg_u))
Probe.fact("reg3.stale.keys_of_dead", Registry.keys(:reg_u, p1))
Probe.fact("reg3.stale.whereis_name", Registry.whereis_name({:reg_u, :k2}))
Probe.fact("reg3.stale.register_replaces", Registry.register(:reg_u, :k2, :new))
Probe.fact("reg3.stale.lookup_after_replace", Registry.lookup(:reg_u, :k2))
:sys.resume(part0)
:sys.get_state(part0)
Probe.fact("reg3.cleaned.lookup", Registry.lookup(:reg_u, :k2))
Probe.fact("reg3.cleaned.keys", Enum.sort(Registry.keys(:reg_u, self())))

# ----- REG-5: unregister -----------------------------------------------------------
Probe.fact("reg5.unregister", Registry.unregister(:reg_u, :k))
Probe.fact("reg5.still_linked_with_k2", part0 in elem(Process.info(self(), :links), 1))
Probe.fact("reg5.unregister_k2", Registry.unregister(:reg_u, :k2))
Probe.fact("reg5.unlinked_when_none_left", part0 in elem(Process.info(self(), :links), 1))
Probe.fact("reg5.unregister_unknown", Registry.unregister(:reg_u, :never))
Probe.fact("reg5.keys_after", Registry.keys(:reg_u, self()))
Probe.fact("reg5.lookup_after", Registry.lookup(:reg_u, :k))

# ----- REG-4: duplicate keys --------------------------------------------------------
{:ok, dsup} = Registry.start_link(keys: :duplicate, name: :reg_d)
Probe.name(dsup, :dsup)
dpart0 = Probe.name(Probe.partition(:reg_d, 0), :dpart0)
Probe.fact("reg4.register_1", Registry.register(:reg_d, :k, 1))
{p2, r} = Probe.holder(fn -> Registry.register(:reg_d, :k, 2) end)
Probe.name(p2, :p2)
Probe.fact("reg4.p2_register", r)
Probe.fact("reg4.register_3", Registry.register(:reg_d, :k, 3))
Probe.fact("reg4.register_same_again", Registry.register(:reg_d, :k, 3))
Probe.fact("reg4.lookup", Registry.lookup(:reg_d, :k))
Probe.fact("reg4.keys", Registry.keys(:reg_d, self()))
Probe.fact("reg4.count", Registry.count(:reg_d))

# ----- REG-8: dispatch, count, count_match, select --------------------------------
me = self()
Probe.fact("reg8.dispatch", Registry.dispatch(:reg_d, :k, fn entries -> send(me, {:called, entries}) end))
Probe.fact("reg8.dispatch_calls", Probe.drain(0))
Probe.fact("reg8.dispatch_missing", Registry.dispatch(:reg_d, :none, fn e -> send(me, {:called, e}) end))
Probe.fact("reg8.dispatch_missing_calls", Probe.drain(0))
Registry.register(:reg_d, :j, {:tag, 7})
Probe.fact("reg8.count_match_k_all", Registry.count_match(:reg_d, :k, :_))
Probe.fact("reg8.count_match_k_3", Registry.count_match(:reg_d, :k, 3))
Probe.fact("reg8.count_match_guard", Registry.count_match(:reg_d, :k, :"$1", [{:>, :"$1", 1}]))
Probe.fact("reg8.match_k_guard", Registry.match(:reg_d, :k, :"$1", [{:>, :"$1", 1}]))
Probe.fact("reg8.select_all",
  Enum.sort(Registry.select(:reg_d, [{{:"$1", :"$2", :"$3"}, [], [{{:"$1", :"$2", :"$3"}}]}])))
Probe.fact("reg8.select_tuple_values",
  Registry.select(:reg_d, [{{:"$1", :_, {:tag, :"$2"}}, [], [{{:"$1", :"$2"}}]}]))
Probe.fact("reg8.count_select",
  Registry.count_select(:reg_d, [{{:_, :_, :"$1"}, [{:is_integer, :"$1"}], [true]}]))
Probe.fact("reg8.count", Registry.count(:reg_d))

# ----- REG-5 on duplicates: all of the caller's entries under the key go ----------
Probe.fact("reg5.dup_unregister", Registry.unregister(:reg_d, :k))
Probe.fact("reg5.dup_lookup_after", Registry.lookup(:reg_d, :k))
Probe.fact("reg5.dup_still_linked_with_j", dpart0 in elem(Process.info(self(), :links), 1))
