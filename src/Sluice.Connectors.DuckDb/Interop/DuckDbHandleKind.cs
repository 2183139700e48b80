namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>What a <see cref="DuckDbHandle"/> points at, and so which C function releases it.</summary>
internal enum DuckDbHandleKind
{
    Database,
    Connection,
    PreparedStatement,
    Appender,
}
