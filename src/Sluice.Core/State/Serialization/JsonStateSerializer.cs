using System.Text.Json;

namespace Sluice.State.Serialization;

/// <summary>
/// The fallback for records, classes and structs: the value as UTF-8 JSON (System.Text.Json, default options plus
/// public fields and named floating-point literals), written as a length-prefixed byte block. Format id
/// <c>json:Namespace.TypeName</c>; version 1. Members added to the type later read as their defaults and members no
/// longer present are ignored, so the type can evolve without a new version.
/// </summary>
internal sealed class JsonStateSerializer<T>() : BuiltInStateSerializer<T>("json:" + StateSerializers.StableTypeName(typeof(T)))
{
    /// <summary>
    /// Fixed options: part of the format, so changing them changes the bytes of every JSON state. Fields are included
    /// so that value tuples (which are fields) inside records survive; NaN and infinities are allowed so that a
    /// double member cannot make a checkpoint fail.
    /// </summary>
    internal static readonly JsonSerializerOptions Options = CreateOptions();

    [ThreadStatic]
    private static Utf8JsonWriter? s_threadWriter;

    public override void Write(StateWriter output, T value)
    {
        var start = output.Length;
        var json = s_threadWriter;
        if (json is null)
        {
            json = new Utf8JsonWriter(output);
            s_threadWriter = json;
        }
        else
        {
            json.Reset(output);
        }
        try
        {
            JsonSerializer.Serialize(json, value, Options);
            json.Flush();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            output.TruncateTo(start);
            throw new NotSupportedException(
                $"'{typeof(T)}' cannot be written to checkpointed state as JSON: {e.Message} Mark such members [JsonIgnore] " +
                $"(when derived), or register a serializer with StateSerializers.Register<{typeof(T).Name}>(...).", e);
        }
        catch
        {
            // Leave no half-written JSON behind: the writer must still hold only whole values.
            output.TruncateTo(start);
            throw;
        }
        finally
        {
            // Drop the reference to the caller's buffer so a pooled writer is not kept alive by this thread.
            json.Reset(Stream.Null);
        }
        output.PrefixLengthSince(start);
    }

    public override T Read(StateReader input, int version)
    {
        CheckVersion(input, version);
        var start = input.Position;
        var bytes = input.ReadBytes();
        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, Options)!;
        }
        catch (JsonException ex)
        {
            throw new StateFormatException(
                $"Invalid state: JSON for '{typeof(T)}' at offset {start} could not be read ({ex.Message}).", ex);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
