import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section className="narrow">
      <h1>{t("common.notFound")}</h1>
      <Link to="/">{t("nav.home")}</Link>
    </section>
  );
}
