namespace Sluice.State.Serialization;

/// <summary><c>00</c> for null, else <c>01</c> and the value.</summary>
internal sealed class NullableStateSerializer<T>(IStateSerializer<T> inner)
    : BuiltInStateSerializer<T?>($"nullable({StateSerializers.PartId(inner)})") where T : struct
{
    private readonly IStateSerializer<T> _inner = inner;
    private readonly int _innerVersion = inner.Version;

    public override void Write(StateWriter output, T? value)
    {
        if (value.HasValue)
        {
            output.WriteBool(true);
            _inner.Write(output, value.GetValueOrDefault());
        }
        else
        {
            output.WriteBool(false);
        }
    }

    public override T? Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        return input.ReadBool() ? _inner.Read(input, _innerVersion) : null;
    }
}

/// <summary>The items one after another, no header.</summary>
internal sealed class TupleStateSerializer<T1, T2>(IStateSerializer<T1> s1, IStateSerializer<T2> s2)
    : BuiltInStateSerializer<(T1, T2)>($"tuple2({StateSerializers.PartId(s1)},{StateSerializers.PartId(s2)})")
{
    private readonly IStateSerializer<T1> _s1 = s1;
    private readonly IStateSerializer<T2> _s2 = s2;
    private readonly int _v1 = s1.Version;
    private readonly int _v2 = s2.Version;

    public override void Write(StateWriter output, (T1, T2) value)
    {
        _s1.Write(output, value.Item1);
        _s2.Write(output, value.Item2);
    }

    public override (T1, T2) Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var item1 = _s1.Read(input, _v1);
        return (item1, _s2.Read(input, _v2));
    }
}

internal sealed class TupleStateSerializer<T1, T2, T3>(IStateSerializer<T1> s1, IStateSerializer<T2> s2, IStateSerializer<T3> s3)
    : BuiltInStateSerializer<(T1, T2, T3)>(
        $"tuple3({StateSerializers.PartId(s1)},{StateSerializers.PartId(s2)},{StateSerializers.PartId(s3)})")
{
    private readonly IStateSerializer<T1> _s1 = s1;
    private readonly IStateSerializer<T2> _s2 = s2;
    private readonly IStateSerializer<T3> _s3 = s3;
    private readonly int _v1 = s1.Version;
    private readonly int _v2 = s2.Version;
    private readonly int _v3 = s3.Version;

    public override void Write(StateWriter output, (T1, T2, T3) value)
    {
        _s1.Write(output, value.Item1);
        _s2.Write(output, value.Item2);
        _s3.Write(output, value.Item3);
    }

    public override (T1, T2, T3) Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var item1 = _s1.Read(input, _v1);
        var item2 = _s2.Read(input, _v2);
        return (item1, item2, _s3.Read(input, _v3));
    }
}

internal sealed class TupleStateSerializer<T1, T2, T3, T4>(
    IStateSerializer<T1> s1, IStateSerializer<T2> s2, IStateSerializer<T3> s3, IStateSerializer<T4> s4)
    : BuiltInStateSerializer<(T1, T2, T3, T4)>(
        $"tuple4({StateSerializers.PartId(s1)},{StateSerializers.PartId(s2)},{StateSerializers.PartId(s3)},{StateSerializers.PartId(s4)})")
{
    private readonly IStateSerializer<T1> _s1 = s1;
    private readonly IStateSerializer<T2> _s2 = s2;
    private readonly IStateSerializer<T3> _s3 = s3;
    private readonly IStateSerializer<T4> _s4 = s4;
    private readonly int _v1 = s1.Version;
    private readonly int _v2 = s2.Version;
    private readonly int _v3 = s3.Version;
    private readonly int _v4 = s4.Version;

    public override void Write(StateWriter output, (T1, T2, T3, T4) value)
    {
        _s1.Write(output, value.Item1);
        _s2.Write(output, value.Item2);
        _s3.Write(output, value.Item3);
        _s4.Write(output, value.Item4);
    }

    public override (T1, T2, T3, T4) Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var item1 = _s1.Read(input, _v1);
        var item2 = _s2.Read(input, _v2);
        var item3 = _s3.Read(input, _v3);
        return (item1, item2, item3, _s4.Read(input, _v4));
    }
}

/// <summary>Key then value: the same bytes and format id as <c>tuple2(k,v)</c>.</summary>
internal sealed class KeyValuePairStateSerializer<TKey, TValue>(IStateSerializer<TKey> keys, IStateSerializer<TValue> values)
    : BuiltInStateSerializer<KeyValuePair<TKey, TValue>>($"tuple2({StateSerializers.PartId(keys)},{StateSerializers.PartId(values)})")
{
    private readonly IStateSerializer<TKey> _keys = keys;
    private readonly IStateSerializer<TValue> _values = values;
    private readonly int _keyVersion = keys.Version;
    private readonly int _valueVersion = values.Version;

    public override void Write(StateWriter output, KeyValuePair<TKey, TValue> value)
    {
        _keys.Write(output, value.Key);
        _values.Write(output, value.Value);
    }

    public override KeyValuePair<TKey, TValue> Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var key = _keys.Read(input, _keyVersion);
        return new KeyValuePair<TKey, TValue>(key, _values.Read(input, _valueVersion));
    }
}
