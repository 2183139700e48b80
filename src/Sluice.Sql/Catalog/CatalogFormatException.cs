namespace Sluice.Sql.Catalog;

/// <summary>The catalog file cannot be read: it is damaged, or a newer release wrote it. The message names the file.</summary>
public sealed class CatalogFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    public CatalogFormatException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
