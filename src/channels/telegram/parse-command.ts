/**
 * Reading a bot command (`/cmd`, `/cmd@SomeBot args`) at the start of a Telegram message. Pure.
 */
import type { MessageEntity } from 'grammy/types';

/** A command found at the start of a message text. */
export interface ParsedCommand {
  /** As written, without `/` and `@bot` (not yet lower-cased). */
  name: string;
  /** The bot named after `@`, when the command is addressed (`/cmd@SomeBot`). */
  addressee?: string;
  /** Text after the command, trimmed. */
  args: string;
  /** Length of the command itself (`/cmd@SomeBot`) at the start of the text. */
  length: number;
}

/** The command of a text starting with a `bot_command` entity, or undefined when it does not. */
export function parseCommand(text: string, entities: MessageEntity[] | undefined): ParsedCommand | undefined {
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!entity) return undefined;
  const [name = '', addressee] = text.slice(1, entity.length).split('@');
  const command: ParsedCommand = { name, args: text.slice(entity.length).trim(), length: entity.length };
  if (addressee !== undefined) command.addressee = addressee;
  return command;
}

function normaliseBotName(name: string): string {
  return name.replace(/^@/, '').toLowerCase();
}

/** Whether a command is addressed to a bot other than ours (`botUsername`, with or without `@`).
 * Unaddressed commands, and any command when our name is unknown, are ours. */
export function isForAnotherBot(command: ParsedCommand, botUsername: string | undefined): boolean {
  return (
    command.addressee !== undefined &&
    botUsername !== undefined &&
    normaliseBotName(command.addressee) !== normaliseBotName(botUsername)
  );
}
