using System.Runtime.InteropServices;

namespace Sluice.Connectors.DuckDb.Interop;

/// <summary>
/// Owns one native DuckDB object and releases it exactly once — on <see cref="SafeHandle.Dispose()"/> or, if the
/// owner forgot, from the critical finalizer. A child handle (connection → database, statement/appender →
/// connection) holds a reference on its parent, so the parent's native object is closed only after every child is
/// released, whatever order user code (or the finalizer) disposes them in.
/// </summary>
internal sealed class DuckDbHandle : SafeHandle
{
    private readonly DuckDbHandle? _parent;

    public DuckDbHandle(DuckDbHandleKind kind, IntPtr pointer, DuckDbHandle? parent)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Kind = kind;
        if (parent is not null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }

        SetHandle(pointer);
    }

    /// <summary>The native object type.</summary>
    public DuckDbHandleKind Kind { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        switch (Kind)
        {
            case DuckDbHandleKind.Database:
                DuckDbNative.Close(ref pointer);
                break;
            case DuckDbHandleKind.Connection:
                DuckDbNative.Disconnect(ref pointer);
                break;
            case DuckDbHandleKind.PreparedStatement:
                DuckDbNative.DestroyPrepare(ref pointer);
                break;
            case DuckDbHandleKind.Appender:
                // Flush errors here cannot be reported; DuckDbAppender closes explicitly first to surface them.
                DuckDbNative.AppenderDestroy(ref pointer);
                break;
        }

        _parent?.DangerousRelease();
        return true;
    }
}
