namespace Sluice.Formats.Registry.Internal;

/// <summary>
/// The registry id of a serializer's writer schema, registered (or looked up) once, on first use, then read without a
/// lock. Thread-safe: concurrent first calls register once.
/// </summary>
internal sealed class WriterSchemaId(RegistryClient registry, RegistrySettings settings, Confluent.SchemaRegistry.Schema schema)
{
    private readonly Lock _lock = new();
    private int _id = -1;

    /// <summary>The id; the first call registers or looks the schema up under the settings' subject.</summary>
    /// <exception cref="InvalidOperationException">The schema cannot be registered or found under the subject.</exception>
    public int Get()
    {
        var id = Volatile.Read(ref _id);
        if (id >= 0)
        {
            return id;
        }
        lock (_lock)
        {
            if (_id < 0)
            {
                Volatile.Write(ref _id, registry.GetOrRegister(settings.Subject!, schema, settings.AutoRegister));
            }
            return _id;
        }
    }
}
