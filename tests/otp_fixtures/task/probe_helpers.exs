# Helpers shared by the Elixir probes in this directory (task.exs) and in
# ../agent/. A probe prints facts, one per line: key=value, the value an Erlang
# term printed with ~0lp (lists always as lists). Pids and refs are never
# printed raw: scrub/2 replaces them by names given with name/2 (unnamed ones
# become pid / ref), a %Task{} struct prints as the atom task, and an exception
# as {Module, 'message'} with its pids and refs blanked.
defmodule Probe do
  def start, do: Process.put(:probe_names, [{self(), :main}])

  def name(pid, n) do
    Process.put(:probe_names, [{pid, n} | Process.get(:probe_names, [])])
    pid
  end

  def scrub(%Task{}, _), do: :task
  def scrub(f, _) when is_function(f), do: :a_fun
  def scrub(t, names) when is_pid(t) or is_reference(t) do
    case List.keyfind(names, t, 0) do
      {_, n} -> n
      nil -> if is_pid(t), do: :pid, else: :ref
    end
  end
  def scrub(l, names) when is_list(l), do: Enum.map(l, &scrub(&1, names))
  def scrub(t, names) when is_tuple(t),
    do: t |> Tuple.to_list() |> scrub(names) |> List.to_tuple()
  # An exception's message, with raw pids and refs blanked, as an atom (so ~0lp
  # prints it as text).
  def scrub(%{__exception__: true} = e, _) do
    msg =
      e
      |> Exception.message()
      |> String.replace(~r/#PID<[0-9.]+>/, "PID")
      |> String.replace(~r/#Reference<[0-9.]+>/, "REF")
    {e.__struct__, String.to_atom(msg)}
  end
  def scrub(t, _), do: t

  def fact(key, value) do
    v = scrub(value, Process.get(:probe_names, []))
    IO.puts("#{key}=#{:io_lib.format(~c"~0lp", [v])}")
  end

  # Runs fun in a fresh monitored process and returns its exit reason.
  def observe(fun) do
    names = Process.get(:probe_names, [])
    {pid, ref} = spawn_monitor(fn -> Process.put(:probe_names, names); fun.() end)
    receive do
      {:DOWN, ^ref, :process, ^pid, reason} -> reason
    end
  end

  # Whatever arrives within ms, in order.
  def drain(ms) do
    receive do
      m -> [m | drain(ms)]
    after
      ms -> []
    end
  end
end
