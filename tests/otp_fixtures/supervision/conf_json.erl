%% A tiny JSON reader and writer: OTP 25 has no json module, and the conformance
%% scenarios need only objects, arrays, strings, integers, booleans and null.
%%
%% decode/1: objects become maps with binary keys, strings binaries, numbers
%% integers, true/false/null atoms.
%% encode/1: {obj, [{Key, Value}]} is an object written in the given key order,
%% a list is an array, a binary or a string given as {str, Chars} is a string,
%% integers and true/false/null as themselves. Output is indented by two spaces;
%% an array of scalars that fits is written on one line.
-module(conf_json).
-export([decode/1, encode/1]).

decode(Bin) when is_binary(Bin) ->
    {V, Rest} = value(skip(Bin)),
    <<>> = skip(Rest),
    V.

skip(<<C, R/binary>>) when C =:= $\s; C =:= $\t; C =:= $\n; C =:= $\r -> skip(R);
skip(B) -> B.

value(<<${, R/binary>>) -> object(skip(R), #{});
value(<<$[, R/binary>>) -> array(skip(R), []);
value(<<$", R/binary>>) -> string(R, []);
value(<<"true", R/binary>>) -> {true, R};
value(<<"false", R/binary>>) -> {false, R};
value(<<"null", R/binary>>) -> {null, R};
value(B) -> number(B, []).

object(<<$}, R/binary>>, M) -> {M, R};
object(<<$", B/binary>>, M) ->
    {K, R1} = string(B, []),
    <<$:, R2/binary>> = skip(R1),
    {V, R3} = value(skip(R2)),
    M2 = M#{K => V},
    case skip(R3) of
        <<$,, R4/binary>> -> object(skip(R4), M2);
        <<$}, R4/binary>> -> {M2, R4}
    end.

array(<<$], R/binary>>, Acc) -> {lists:reverse(Acc), R};
array(B, Acc) ->
    {V, R1} = value(B),
    case skip(R1) of
        <<$,, R2/binary>> -> array(skip(R2), [V | Acc]);
        <<$], R2/binary>> -> {lists:reverse([V | Acc]), R2}
    end.

string(<<$", R/binary>>, Acc) -> {unicode:characters_to_binary(lists:reverse(Acc)), R};
string(<<$\\, E, R/binary>>, Acc) ->
    case E of
        $" -> string(R, [$" | Acc]);
        $\\ -> string(R, [$\\ | Acc]);
        $/ -> string(R, [$/ | Acc]);
        $n -> string(R, [$\n | Acc]);
        $t -> string(R, [$\t | Acc]);
        $r -> string(R, [$\r | Acc]);
        $u ->
            <<H:4/binary, R2/binary>> = R,
            string(R2, [binary_to_integer(H, 16) | Acc])
    end;
string(B, Acc) ->
    [C | _] = unicode:characters_to_list(binary:part(B, 0, min(4, byte_size(B)))),
    Size = byte_size(unicode:characters_to_binary([C])),
    <<_:Size/binary, R/binary>> = B,
    string(R, [C | Acc]).

number(<<C, R/binary>>, Acc) when C =:= $-; C >= $0, C =< $9 -> number(R, [C | Acc]);
number(R, Acc) when Acc =/= [] -> {list_to_integer(lists:reverse(Acc)), R}.

%% ---- writing ------------------------------------------------------------------

encode(V) -> iolist_to_binary([enc(V, 0), $\n]).

enc({obj, []}, _) -> "{}";
enc({obj, Pairs}, D) ->
    Ind = indent(D + 1),
    Items = [[Ind, str(K), ": ", enc(V, D + 1)] || {K, V} <- Pairs],
    ["{\n", lists:join(",\n", Items), $\n, indent(D), $}];
enc([], _) -> "[]";
enc(L, D) when is_list(L) ->
    Flat = [enc(V, D + 1) || V <- L],
    OneLine = ["[", lists:join(", ", Flat), "]"],
    case lists:all(fun scalar/1, L) andalso iolist_size(OneLine) + 2 * D < 90 of
        true -> OneLine;
        false ->
            Ind = indent(D + 1),
            ["[\n", lists:join(",\n", [[Ind, F] || F <- Flat]), $\n, indent(D), $]]
    end;
enc(true, _) -> "true";
enc(false, _) -> "false";
enc(null, _) -> "null";
enc(I, _) when is_integer(I) -> integer_to_list(I);
enc(S, _) -> str(S).

scalar({obj, _}) -> false;
scalar(L) when is_list(L) -> false;
scalar(_) -> true.

indent(D) -> lists:duplicate(2 * D, $\s).

str({str, Chars}) -> str(unicode:characters_to_binary(Chars));
str(A) when is_atom(A) -> str(atom_to_binary(A));
str(B) when is_binary(B) ->
    [$", [esc(C) || C <- unicode:characters_to_list(B)], $"].

esc($") -> "\\\"";
esc($\\) -> "\\\\";
esc($\n) -> "\\n";
esc($\t) -> "\\t";
esc(C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
esc(C) -> unicode:characters_to_binary([C]).
