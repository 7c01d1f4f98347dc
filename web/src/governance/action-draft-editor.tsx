import { useId } from "react";
import { useTranslation } from "react-i18next";

import type { ActionDraft } from "./build-proposal-actions";
import { RAW_CALL_ABIS, writableFunctions } from "./build-proposal-actions";
import type { RawCallContract } from "./build-proposal-actions";
import type { TreasuryAsset } from "./use-treasury";

function TextField({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        spellCheck={false}
        autoComplete="off"
      />
    </div>
  );
}

/** The inputs of one builder action, typed by its kind (the raw call's by the chosen function's ABI). */
export function ActionDraftEditor({
  draft,
  onChange,
  assets,
  addresses,
}: {
  draft: ActionDraft;
  onChange: (draft: ActionDraft) => void;
  assets: readonly TreasuryAsset[];
  addresses: Partial<Record<RawCallContract, string>>;
}) {
  const { t } = useTranslation();
  const id = useId();
  switch (draft.kind) {
    case "fee":
      return (
        <TextField
          label={t("governance.builder.fields.percent")}
          value={draft.percent}
          onChange={(percent) => onChange({ ...draft, percent })}
        />
      );
    case "windows":
      return (
        <>
          <TextField
            label={t("governance.builder.fields.shipHours")}
            value={draft.shipHours}
            onChange={(shipHours) => onChange({ ...draft, shipHours })}
          />
          <TextField
            label={t("governance.builder.fields.confirmHours")}
            value={draft.confirmHours}
            onChange={(confirmHours) => onChange({ ...draft, confirmHours })}
          />
          <TextField
            label={t("governance.builder.fields.arbitrationHours")}
            value={draft.arbitrationHours}
            onChange={(arbitrationHours) => onChange({ ...draft, arbitrationHours })}
          />
        </>
      );
    case "paymentToken":
    case "arbiter": {
      const on = draft.kind === "paymentToken" ? draft.allowed : draft.appoint;
      const toggle = (value: boolean) =>
        onChange(draft.kind === "paymentToken" ? { ...draft, allowed: value } : { ...draft, appoint: value });
      return (
        <>
          {draft.kind === "paymentToken" ? (
            <TextField
              label={t("governance.builder.fields.token")}
              value={draft.token}
              onChange={(token) => onChange({ ...draft, token })}
            />
          ) : (
            <TextField
              label={t("governance.builder.fields.account")}
              value={draft.account}
              onChange={(account) => onChange({ ...draft, account })}
            />
          )}
          <fieldset>
            <legend>{t("governance.builder.fields.operation")}</legend>
            <label className="inline-choice">
              <input type="radio" name={`${id}-op`} checked={on} onChange={() => toggle(true)} />
              {draft.kind === "paymentToken"
                ? t("governance.builder.fields.allow")
                : t("governance.builder.fields.appoint")}
            </label>
            <label className="inline-choice">
              <input type="radio" name={`${id}-op`} checked={!on} onChange={() => toggle(false)} />
              {t("governance.builder.fields.remove")}
            </label>
          </fieldset>
        </>
      );
    }
    case "guardian":
      return (
        <TextField
          label={t("governance.builder.fields.account")}
          value={draft.account}
          onChange={(account) => onChange({ ...draft, account })}
        />
      );
    case "transfer":
      return (
        <>
          <div className="field">
            <label htmlFor={`${id}-asset`}>{t("governance.builder.fields.asset")}</label>
            <select
              id={`${id}-asset`}
              value={draft.asset}
              onChange={(event) => onChange({ ...draft, asset: event.target.value })}
            >
              {assets.map((asset) => (
                <option key={asset.token ?? "ETH"} value={asset.token ?? "ETH"}>
                  {asset.symbol}
                </option>
              ))}
            </select>
          </div>
          <TextField
            label={t("governance.builder.fields.to")}
            value={draft.to}
            onChange={(to) => onChange({ ...draft, to })}
          />
          <TextField
            label={t("governance.builder.fields.amount")}
            value={draft.amount}
            onChange={(amount) => onChange({ ...draft, amount })}
          />
        </>
      );
    case "raw": {
      const functions = writableFunctions(draft.contract);
      const chosen = functions.find((entry) => entry.signature === draft.signature);
      return (
        <>
          <div className="field">
            <label htmlFor={`${id}-contract`}>{t("governance.builder.fields.contract")}</label>
            <select
              id={`${id}-contract`}
              value={draft.contract}
              onChange={(event) => {
                const contract = event.target.value as RawCallContract;
                onChange({ ...draft, contract, target: addresses[contract] ?? "", signature: "", args: [] });
              }}
            >
              {Object.keys(RAW_CALL_ABIS).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <TextField
            label={t("governance.builder.fields.target")}
            value={draft.target}
            onChange={(target) => onChange({ ...draft, target })}
          />
          <div className="field">
            <label htmlFor={`${id}-function`}>{t("governance.builder.fields.function")}</label>
            <select
              id={`${id}-function`}
              value={draft.signature}
              onChange={(event) => onChange({ ...draft, signature: event.target.value, args: [] })}
            >
              <option value="">{t("governance.builder.fields.chooseFunction")}</option>
              {functions.map((entry) => (
                <option key={entry.signature} value={entry.signature}>
                  {entry.signature}
                </option>
              ))}
            </select>
          </div>
          {chosen?.fn.inputs.map((input, index) => (
            <TextField
              key={`${draft.signature}-${index}`}
              label={`${input.name ?? index} (${input.type})`}
              value={draft.args[index] ?? ""}
              onChange={(value) => {
                const args = [...draft.args];
                args[index] = value;
                onChange({ ...draft, args });
              }}
            />
          ))}
          <TextField
            label={t("governance.builder.fields.value")}
            value={draft.value}
            onChange={(value) => onChange({ ...draft, value })}
          />
        </>
      );
    }
  }
}
