using System.Runtime.InteropServices;

namespace Sluice.Connectors.Kafka.Testing.Interop;

/// <summary>The few librdkafka C entry points the mock cluster needs (none are wrapped by Confluent.Kafka).</summary>
internal static partial class MockClusterNative
{
    public const int Producer = 0;

    static MockClusterNative() => KafkaNativeLibrary.EnsureResolver();

    [LibraryImport(KafkaNativeLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(KafkaNativeLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [LibraryImport(KafkaNativeLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(KafkaNativeLibrary.Name, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void rd_kafka_mock_topic_set_error(IntPtr mcluster, string topic, int error);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial IntPtr rd_kafka_err2str(int error);

    [LibraryImport(KafkaNativeLibrary.Name)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);
}
