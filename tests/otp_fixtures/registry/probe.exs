# probe.exs: helpers shared by the registry probes (loaded with Code.require_file).
#
# A probe prints facts, one per line: key=value, the value an Erlang term printed
# with ~0p (so it reads like otpsim's Term display). Pids and refs are never printed
# raw: Probe.name/2 gives a pid a printable name (main, sup, part0, p1, ...); any
# other pid prints as `pid`, any ref as `ref`.
# Crash and handle_info reports would go to stdout among the facts.
Logger.configure(level: :none)

defmodule Probe do
  def name(pid, n) do
    Process.put(:probe_names, [{pid, n} | Process.get(:probe_names, [])])
    pid
  end

  def scrub(t) when is_pid(t) do
    case List.keyfind(Process.get(:probe_names, []), t, 0) do
      {_, n} -> n
      nil -> :pid
    end
  end

  def scrub(t) when is_reference(t), do: :ref
  def scrub(t) when is_list(t), do: Enum.map(t, &scrub/1)
  def scrub(t) when is_tuple(t), do: t |> Tuple.to_list() |> scrub() |> List.to_tuple()
  def scrub(t), do: t

  def fact(key, value) do
    IO.puts([key, "=", :io_lib.format(~c"~0p", [scrub(value)])])
  end

  # {returned, V} | {Class, Reason}: what calling f did. An exception is shown by
  # its kind and message so that the output stays free of stack traces.
  def try_(f) do
    try do
      {:returned, f.()}
    rescue
      e -> {:raised, e.__struct__, Exception.message(e)}
    catch
      kind, reason -> {kind, reason}
    end
  end

  # Runs f in a fresh process; returns its result (or {:crashed, reason}).
  def in_proc(f) do
    me = self()
    {pid, ref} = spawn_monitor(fn -> send(me, {:in_proc, self(), f.()}) end)

    receive do
      {:in_proc, ^pid, r} ->
        receive do
          {:DOWN, ^ref, _, _, _} -> r
        end

      {:DOWN, ^ref, _, _, reason} ->
        {:crashed, reason}
    end
  end

  # A process that waits for `:stop` (or for ever); `fun` runs first inside it.
  def holder(fun \\ fn -> :ok end) do
    me = self()

    spawn(fn ->
      r = fun.()
      send(me, {:holder_ready, self(), r})

      receive do
        :stop -> :ok
      end
    end)
    |> then(fn pid ->
      receive do
        {:holder_ready, ^pid, r} -> {pid, r}
      end
    end)
  end

  def kill_and_wait(pid) do
    ref = Process.monitor(pid)
    Process.exit(pid, :kill)

    receive do
      {:DOWN, ^ref, _, _, _} -> :ok
    end
  end

  def partition(registry, i) do
    Process.whereis(Module.concat(registry, "PIDPartition#{i}"))
  end

  def drain(ms) do
    receive do
      m -> [m | drain(ms)]
    after
      ms -> []
    end
  end

  def counts(list) do
    list |> Enum.frequencies() |> Enum.sort()
  end
end
