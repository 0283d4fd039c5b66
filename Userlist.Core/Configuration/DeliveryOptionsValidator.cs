using Microsoft.Extensions.Options;

namespace Userlist.Core.Configuration;

/// <summary>The rules across <see cref="DeliveryOptions"/>' keys, checked at start and when the dashboard saves.</summary>
internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options) =>
        options.RetryMaxDelaySeconds < options.RetryInitialDelaySeconds
            ? ValidateOptionsResult.Fail($"{DeliveryOptions.SectionName}:RetryMaxDelaySeconds must be at least {DeliveryOptions.SectionName}:RetryInitialDelaySeconds")
            : ValidateOptionsResult.Success;
}
