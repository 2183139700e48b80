using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using Sluice.Connectors.Kafka.Testing.Interop;

namespace Sluice.Connectors.Kafka.Testing;

/// <summary>
/// An in-process Kafka cluster: librdkafka's built-in mock brokers (<c>test.mock.num.brokers</c>), listening on
/// 127.0.0.1. Any Kafka client — in this process or another one — can use <see cref="BootstrapServers"/> while the
/// instance lives. For tests, examples and benchmarks; not a broker to keep data in.
/// </summary>
/// <remarks>
/// The mock supports produce/fetch, consumer groups (join, sync, rebalance, offset commits), idempotent producers
/// and the transactional API calls. It does not support CreateTopics (use <see cref="CreateTopic"/>); topics that
/// clients auto-create get 4 partitions. Transactions are accepted but not isolated: aborted records stay visible to
/// read-committed consumers and offsets sent in a transaction are not stored. Thread-safe; dispose to stop the brokers.
/// </remarks>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly Lock _lock = new();
    private IntPtr _handle;
    private readonly IntPtr _cluster;

    /// <summary>Starts <paramref name="brokerCount"/> mock brokers.</summary>
    /// <param name="brokerCount">Number of brokers, at least 1. Topics are replicated to min(3, brokers).</param>
    /// <exception cref="KafkaException">librdkafka could not start the mock cluster.</exception>
    public KafkaMockCluster(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        BrokerCount = brokerCount;
        var error = new byte[512];
        var conf = MockClusterNative.rd_kafka_conf_new();
        Set(conf, "test.mock.num.brokers", brokerCount.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        Set(conf, "client.id", "sluice-mock-cluster", error);
        Set(conf, "log_level", "3", error);
        _handle = MockClusterNative.rd_kafka_new(MockClusterNative.Producer, conf, error, (nuint)error.Length);
        if (_handle == IntPtr.Zero)
        {
            MockClusterNative.rd_kafka_conf_destroy(conf);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"Could not start the librdkafka mock cluster: {Text(error)}"));
        }
        _cluster = MockClusterNative.rd_kafka_handle_mock_cluster(_handle);
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(_cluster)) ?? "";
        // Kafka's default group.initial.rebalance.delay.ms (3 s) only slows tests down.
        MockClusterNative.rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, 0);
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> addresses of the brokers; valid for any client while this instance lives.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of mock brokers.</summary>
    public int BrokerCount { get; }

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions.</summary>
    /// <exception cref="KafkaException">The topic exists already or the arguments are invalid.</exception>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var code = Call(c => MockClusterNative.rd_kafka_mock_topic_create(c, topic, partitions, Math.Min(3, BrokerCount)));
        if (code != 0)
        {
            throw new KafkaException(new Error((ErrorCode)code, $"Could not create mock topic '{topic}' with {partitions} partitions: {ErrorText(code)}"));
        }
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> requests of <paramref name="apiKey"/> (e.g. 0 = Produce) fail with
    /// <paramref name="error"/>, whichever broker receives them. For testing how clients surface errors.
    /// </summary>
    public void FailNextRequests(short apiKey, ErrorCode error, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var errors = new int[count];
        Array.Fill(errors, (int)error);
        Call(c =>
        {
            MockClusterNative.rd_kafka_mock_push_request_errors_array(c, apiKey, (nuint)count, errors);
            return 0;
        });
    }

    /// <summary>Makes every metadata lookup of <paramref name="topic"/> report <paramref name="error"/>; <see cref="ErrorCode.NoError"/> clears it.</summary>
    public void SetTopicError(string topic, ErrorCode error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Call(c =>
        {
            MockClusterNative.rd_kafka_mock_topic_set_error(c, topic, (int)error);
            return 0;
        });
    }

    /// <summary>Stops the brokers; clients still connected see their connections fail.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_handle != IntPtr.Zero)
            {
                MockClusterNative.rd_kafka_destroy(_handle);
                _handle = IntPtr.Zero;
            }
        }
    }

    private int Call(Func<IntPtr, int> call)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            return call(_cluster);
        }
    }

    private static void Set(IntPtr conf, string name, string value, byte[] error)
    {
        if (MockClusterNative.rd_kafka_conf_set(conf, name, value, error, (nuint)error.Length) != 0)
        {
            MockClusterNative.rd_kafka_conf_destroy(conf);
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"Could not set '{name}' for the mock cluster: {Text(error)}"));
        }
    }

    private static string ErrorText(int code) => Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_err2str(code)) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
