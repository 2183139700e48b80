using Sluice.State;

namespace Sluice.Examples.Fraud;

/// <summary>A card transaction.</summary>
public sealed record Transaction(string TransactionId, string UserId, double Amount, long Ts);

/// <summary>A login with where it came from.</summary>
public sealed record Login(string UserId, string Location, long Ts);

/// <summary>A rule hit.</summary>
public sealed record FraudAlert(string UserId, string Rule, string Detail, long Ts);

/// <summary>
/// Fraud rules over transactions and logins connected by user: (1) daily spend over a limit — one alert per user and
/// UTC day, raised by the transaction that crosses it; (2) login location change — a login from another location
/// than the user's previous login.
/// </summary>
public static class FraudDetection
{
    /// <summary>The daily spend limit of rule 1.</summary>
    public const double DailyLimit = 5000;

    /// <summary>Connects both streams by user and applies the rules.</summary>
    public static DataStream<FraudAlert> Build(DataStream<Transaction> transactions, DataStream<Login> logins) =>
        transactions.KeyBy(static t => t.UserId)
            .Connect(logins.KeyBy(static l => l.UserId))
            .Process(new FraudRules(), "FraudRules");

    private sealed class FraudRules : KeyedCoProcessFunction<string, Transaction, Login, FraudAlert>
    {
        private IValueState<(long Day, double Spent, bool Alerted)> _spend = null!;
        private IValueState<string> _lastLocation = null!;

        public override void Open(IRuntimeContext context)
        {
            _spend = context.State.GetState(new ValueStateDescriptor<(long, double, bool)>("daily-spend"));
            _lastLocation = context.State.GetState(new ValueStateDescriptor<string>("last-location"));
        }

        public override void ProcessElement1(Transaction value, KeyedProcessContext<string> context, ICollector<FraudAlert> output)
        {
            var day = value.Ts / 86_400_000;
            var spend = _spend.TryGet(out var s) && s.Day == day ? s : (day, 0, false);
            spend.Spent += value.Amount;
            if (!spend.Alerted && spend.Spent > DailyLimit)
            {
                spend.Alerted = true;
                output.Collect(new FraudAlert(value.UserId, "daily-spend", $"{spend.Spent:F2} spent on day {day} (limit {DailyLimit})", value.Ts));
            }
            _spend.Update(spend);
        }

        public override void ProcessElement2(Login value, KeyedProcessContext<string> context, ICollector<FraudAlert> output)
        {
            if (_lastLocation.TryGet(out var last) && last != value.Location)
            {
                output.Collect(new FraudAlert(value.UserId, "location-change", $"{last} -> {value.Location}", value.Ts));
            }
            _lastLocation.Update(value.Location);
        }
    }
}
