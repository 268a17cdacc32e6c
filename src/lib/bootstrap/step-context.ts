/**
 * What a bootstrap step is given and what it gives back: a step is
 * `(context) => outcome` (steps/<id>.ts), run in order by the sequencer
 * (runner.ts). Every prompt is a port the command provides (`BootstrapIO`);
 * nothing here knows the terminal or the task list. Types only.
 */
import type {CallerLookup} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import type {PikselError} from '../errors.ts'
import type {BootstrapPorts} from './ports.ts'
import type {CarriedFlags} from './rerun.ts'
import type {StepId} from './steps.ts'
import type {StepStatus} from './summary.ts'

export interface RunOptions {
  env: Environment
  session: AwsSession
  /** The selected steps (see selectSteps). */
  steps: StepId[]
  /** The piksel-infra checkout: the env root is <infraDir>/<terraform.dir>, the state bucket root <infraDir>/bootstrap/<env>. */
  infraDir: string
  dryRun: boolean
  allowDestroy: boolean
  forceFlux: boolean
  timeoutMs: number
  /** package.json engines.node, for the Node check of preflight. */
  enginesRange: string
  kubeconfig?: string
  /** Who the caller is: the command's one identity lookup (its account guard has usually asked already). */
  caller: CallerLookup
  /** GITHUB_TOKEN from the environment, if set. */
  githubToken?: string
  /** File GPU quota increase requests (each opens an AWS support case); --yes alone does not. */
  requestQuotas?: boolean
  /** The flags that chose the run's target (--infra-dir, --kubeconfig, --config, ...), repeated in every hint. */
  rerunFlags?: CarriedFlags
  signal?: AbortSignal
}

/** The ports the command provides for everything that asks or is kept aside: prompts, secrets, warnings. */
export interface BootstrapIO {
  /** Prompts can appear (TTY, not CI, no --no-input). */
  interactive: boolean
  /** The confirmation before a write, given its summary; without a terminal or --yes it throws INPUT_REQUIRED. */
  confirm(summary: string): Promise<boolean>
  /** A hidden prompt for a secret; `flag` names the non-interactive way to give it. */
  secret(message: string, flag: string): Promise<string>
  /** Registers a value that must never be printed. */
  sensitive(value: string): void
  /** A warning the run has shown: kept for the JSON document's `warnings`. */
  warned?(message: string): void
}

export interface StepOutcome {
  status: StepStatus
  detail: string
  /** Whether the step wrote something (default: `done` of a step that writes). */
  changed?: boolean
  /** For the JSON step report (the account steps: ARNs, the zone id, the delegation found). */
  details?: Record<string, unknown>
}

/** What a step learns that a later one needs. */
export interface RunState {
  account: string | null
  /** A dry run found the state bucket missing: an S3-backed root cannot be initialised, so it is not planned. */
  bucketMissing: boolean
  /** A dry run planned the kubeconfig step: the steps after it may plan without the context. */
  kubeconfigPlanned?: boolean
  /** Resolved by preflight, so the flux step never asks for it after Terraform has applied. */
  githubToken?: string
  /** The pre-write checks ran (in preflight, or before the first write when preflight was not selected). */
  preWriteChecked?: boolean
  /** The last environment-root Terraform step: did an untargeted plan run and come out empty or applied (null: none ran). */
  converged: boolean | null
}

export interface StepContext {
  options: RunOptions
  ports: BootstrapPorts
  io: BootstrapIO
  state: RunState
  /** One line of the step's output (its children's lines, `piksel: ...` notes): reported as an event. */
  line: (text: string) => void
  /** A warning: a `piksel: warning: ...` line, and reported through io.warned. */
  warn: (message: string) => void
}

/** One step of the runbook: detects when it is already done; throws a PikselError when it fails. */
export type Step = (ctx: StepContext) => Promise<StepOutcome>

/** What the sequencer reports while it runs; the command shows them (the task list). */
export type BootstrapEvent =
  | {type: 'started'; step: StepId}
  | {type: 'line'; step: StepId; text: string}
  | {type: 'finished'; step: StepId; outcome: StepOutcome; durationMs: number}
  | {type: 'failed'; step: StepId; error: PikselError; durationMs: number}

/**
 * Receives the events. The sequencer waits for what it returns on `started`,
 * `finished` and `failed` (a display may need to catch up before the step's
 * first line or prompt); `line` is not waited for.
 */
export type BootstrapReporter = (event: BootstrapEvent) => void | Promise<void>
