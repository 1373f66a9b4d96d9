import type { AppConfig } from '../config.js';
import type { ChannelAdapter } from '../core/channel.js';
import type { CoreContext } from '../core/core-context.js';
import type { Logger } from '../logger.js';

/** The adapters of the channels whose settings are present. */
export function createChannelAdapters(config: AppConfig, logger: Logger, core: CoreContext): ChannelAdapter[] {
  const adapters: ChannelAdapter[] = [];
  void config;
  void logger;
  void core;
  return adapters;
}
