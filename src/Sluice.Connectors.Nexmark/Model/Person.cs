namespace Sluice.Nexmark.Model;

/// <summary>
/// A person (Nexmark <c>person</c> table). A class rather than a struct: persons are 2% of events and referencing them
/// keeps <see cref="Event"/> small. Immutable.
/// </summary>
/// <param name="Id">Unique id (from 1000).</param>
/// <param name="Name">First and last name.</param>
/// <param name="EmailAddress">Random e-mail address.</param>
/// <param name="CreditCard">Four groups of four digits.</param>
/// <param name="City">One of ten US cities.</param>
/// <param name="State">One of AZ, CA, ID, OR, WA, WY.</param>
/// <param name="DateTime">Event time, ms since the Unix epoch.</param>
/// <param name="Extra">Padding to the spec's average event size.</param>
public sealed record Person(long Id, string Name, string EmailAddress, string CreditCard, string City, string State, long DateTime, ExtraString Extra);
