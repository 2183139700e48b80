namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>Return code of most DuckDB C API functions (<c>duckdb_state</c>).</summary>
internal enum DuckDbState
{
    Success = 0,
    Error = 1,
}
