// Pet profiles on pet businesses (R-I9): add, edit, delete. Staff-only fields never reach
// this API, so nothing here could show them.
import { button, field, flash, form, h, loadInto } from "../dom.js";
import { errorText } from "../i18n.js";

const SPECIES = ["dog", "cat", "rabbit", "bird", "other"];

function petFields(ctx, pet = {}) {
  const { t } = ctx;
  return [
    h(
      "div",
      { class: "row" },
      field({ name: "name", label: t("pets.name"), required: true, value: pet.name }),
      field({
        name: "species",
        label: t("pets.species"),
        type: "select",
        required: true,
        value: pet.species || "dog",
        options: [...SPECIES, ...(pet.species && !SPECIES.includes(pet.species) ? [pet.species] : [])].map((s) => [
          s,
          SPECIES.includes(s) ? t(`pets.species_${s}`) : s,
        ]),
      }),
    ),
    h(
      "div",
      { class: "row" },
      field({ name: "breed", label: t("pets.breed"), value: pet.breed }),
      field({ name: "birthday", label: t("pets.birthday"), type: "date", value: pet.birthday }),
    ),
    field({
      name: "weight_kg",
      label: t("pets.weight"),
      type: "number",
      value: pet.weight_kg ?? "",
      attrs: { min: 0, step: 0.1, inputmode: "decimal" },
    }),
    field({ name: "notes", label: t("pets.notes"), type: "textarea", value: pet.notes, hint: t("pets.notes_hint") }),
  ];
}

function petBody(values) {
  return {
    name: values.name,
    species: values.species,
    breed: values.breed || null,
    birthday: values.birthday || null,
    weight_kg: values.weight_kg === "" ? null : Number(values.weight_kg),
    notes: values.notes || null,
  };
}

function describe(ctx, pet) {
  const { t } = ctx;
  const bits = [SPECIES.includes(pet.species) ? t(`pets.species_${pet.species}`) : pet.species];
  if (pet.breed) bits.push(pet.breed);
  if (pet.birthday) bits.push(t("pets.born", { date: ctx.formatDate(pet.birthday) }));
  if (pet.weight_kg !== null && pet.weight_kg !== undefined) bits.push(t("pets.weighs", { weight: new Intl.NumberFormat(ctx.locale()).format(pet.weight_kg) }));
  return bits.join(" · ");
}

export async function renderPets(el, ctx) {
  const { t } = ctx;
  const title = el.querySelector("h2");
  const answer = await loadInto(el, () => ctx.api.get("/me/pets"));
  if (!answer) return;
  const { pets } = answer;
  const list = h("ul", { class: "pets" });
  for (const pet of pets) list.append(petRow(el, ctx, pet));
  const add = button(t("pets.add"), {
    class: "button",
    "aria-expanded": "false",
    onclick() {
      add.hidden = true;
      const addForm = form({
        label: t("pets.add"),
        fields: petFields(ctx),
        submitLabel: t("pets.save"),
        after: [button(t("common.cancel"), { class: "button subtle", onclick: () => renderPets(el, ctx) })],
        async onsubmit(values) {
          await ctx.api.post("/me/pets", petBody(values));
          await renderPets(el, ctx);
          flash(el, t("pets.added", { name: values.name }));
        },
      });
      add.after(addForm);
      addForm.querySelector("input").focus();
    },
  });
  el.replaceChildren(title, pets.length ? list : h("p", { class: "empty" }, t("pets.none")), add);
}

function petRow(el, ctx, pet) {
  const { t } = ctx;
  const row = h(
    "li",
    { class: "pet" },
    h("div", {}, h("p", { class: "pet-name" }, pet.name), h("p", { class: "meta" }, describe(ctx, pet))),
    h(
      "div",
      { class: "row-actions" },
      button(t("common.edit"), {
        class: "button small",
        "aria-label": t("pets.edit_named", { name: pet.name }),
        onclick() {
          const editForm = form({
            label: t("pets.edit_named", { name: pet.name }),
            fields: petFields(ctx, pet),
            submitLabel: t("pets.save"),
            after: [button(t("common.cancel"), { class: "button subtle", onclick: () => renderPets(el, ctx) })],
            async onsubmit(values) {
              await ctx.api.patch(`/me/pets/${encodeURIComponent(pet.pet_id)}`, petBody(values));
              await renderPets(el, ctx);
              flash(el, t("pets.saved", { name: values.name }));
            },
          });
          row.replaceChildren(editForm);
          editForm.querySelector("input").focus();
        },
      }),
      button(t("common.delete"), {
        class: "button small danger",
        "aria-label": t("pets.delete_named", { name: pet.name }),
        onclick(event) {
          const actions = event.currentTarget.parentElement;
          const keep = [...actions.childNodes];
          const yes = button(t("pets.confirm_delete", { name: pet.name }), {
            class: "button small danger",
            async onclick() {
              try {
                await ctx.api.delete(`/me/pets/${encodeURIComponent(pet.pet_id)}`);
                await renderPets(el, ctx);
                flash(el, t("pets.deleted", { name: pet.name }));
              } catch (error) {
                flash(el, errorText(error.code, error.message), "error");
              }
            },
          });
          actions.replaceChildren(yes, button(t("common.cancel"), { class: "button small subtle", onclick: () => { actions.replaceChildren(...keep); keep[1].focus(); } }));
          yes.focus();
        },
      }),
    ),
  );
  return row;
}
